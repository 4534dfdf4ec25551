package org.fairgrove.pipeline.lakehouse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system, answering link status and setting permissions through java.nio.
 * Without Hadoop's native library (which Maven does not ship), Hadoop starts a {@code readlink}
 * process for every link status and a {@code chmod} for every file it creates: about 10 ms
 * each, twenty-odd per Delta commit (its rename checks both ends, data and checksum files).
 * Everything else is Hadoop's own code; a real symbolic link and a sticky bit still go to it.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The same for FileContext (Delta's log store commits through it). */
  public static final class ForFileContext extends ChecksumFs {
    /** Hadoop's signature for every AbstractFileSystem; the URI of local files is fixed. */
    public ForFileContext(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new Delegate(conf));
    }
  }

  /** What Hadoop's RawLocalFs is, over {@link Raw} (RawLocalFs cannot be given another). */
  private static final class Delegate extends DelegateToFileSystem {
    Delegate(Configuration conf) throws IOException, URISyntaxException {
      super(FsConstants.LOCAL_FS_URI, new Raw(), conf, FsConstants.LOCAL_FS_URI.getScheme(),
          false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    @Deprecated
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true;
    }
  }

  private static final class Raw extends RawLocalFileSystem {
    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      if (Files.isSymbolicLink(pathToFile(f).toPath())) {
        return super.getFileLinkStatus(f);
      }
      // What Hadoop answers for a file that is not a link (or is missing), without asking
      // readlink.
      return getFileStatus(f);
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      try {
        // Without a sticky bit, FsPermission's text is the nine rwx characters java.nio reads.
        Files.setPosixFilePermissions(pathToFile(p).toPath(),
            PosixFilePermissions.fromString(permission.toString()));
      } catch (NoSuchFileException e) {
        throw (FileNotFoundException) new FileNotFoundException(p + " does not exist")
            .initCause(e);
      }
    }
  }
}
