package org.fairgrove.pipeline.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session's local files go through {@link NioLocalFileSystem}, and it answers as Hadoop's
 * does: permissions under the lakehouse's umask, a file's link status, and a rename that refuses
 * to replace a file (Delta's commits rely on it).
 */
@ExtendWith(SparkTestSession.class)
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;
  private Configuration conf;

  @BeforeEach
  void sessionConfiguration(SparkSession spark) {
    conf = spark.sparkContext().hadoopConfiguration();
  }

  @Test
  void theSessionsFileSystemAndFileContextAreIt() throws Exception {
    assertThat(FileSystem.get(URI.create("file:///"), conf)).isInstanceOf(NioLocalFileSystem.class);
    assertThat(FileSystem.getLocal(conf)).isInstanceOf(NioLocalFileSystem.class);
    assertThat(FileContext.getLocalFSFileContext(conf).getDefaultFileSystem())
        .isInstanceOf(NioLocalFileSystem.ForFileContext.class);
  }

  @Test
  void filesAndFoldersItCreatesAreTheOwnersAlone() throws Exception {
    try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), conf)) {
      Path folder = new Path(dir.resolve("a/b").toUri());
      Path file = new Path(folder, "part-0.parquet");
      fs.mkdirs(folder);
      fs.create(file).close();

      assertThat(permissions(dir.resolve("a/b"))).isEqualTo("rwx------");
      assertThat(permissions(dir.resolve("a/b/part-0.parquet"))).isEqualTo("rw-------");
      // Hadoop's checksum file beside it, created the same way.
      assertThat(permissions(dir.resolve("a/b/.part-0.parquet.crc"))).isEqualTo("rw-------");

      fs.setPermission(file, new FsPermission((short) 0640));
      assertThat(permissions(dir.resolve("a/b/part-0.parquet"))).isEqualTo("rw-r-----");
      assertThatThrownBy(() -> fs.setPermission(new Path(folder, "absent"),
          new FsPermission((short) 0600))).isInstanceOf(FileNotFoundException.class);
    }
  }

  @Test
  void aLinkStatusIsHadoopsOwn() throws Exception {
    java.nio.file.Path target = Files.writeString(dir.resolve("target.json"), "{}\n");
    java.nio.file.Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);
    try (FileSystem ours = FileSystem.newInstance(URI.create("file:///"), conf);
        RawLocalFileSystem hadoops = new RawLocalFileSystem()) {
      hadoops.initialize(URI.create("file:///"), conf);
      for (java.nio.file.Path file : List.of(target, link)) {
        // Hadoop runs readlink on the path's text, so it sees a link only by a path without the
        // file: scheme.
        Path path = new Path(file.toString());
        FileStatus mine = ours.getFileLinkStatus(path);
        FileStatus theirs = hadoops.getFileLinkStatus(path);
        assertThat(mine.isSymlink()).as(file.toString()).isEqualTo(file.equals(link))
            .isEqualTo(theirs.isSymlink());
        assertThat(mine.isFile()).as(file.toString()).isEqualTo(theirs.isFile());
        assertThat(mine.getLen()).as(file.toString()).isEqualTo(theirs.getLen());
        assertThat(mine.getModificationTime()).isEqualTo(theirs.getModificationTime());
      }
      FileStatus targetStatus = ours.getFileLinkStatus(new Path(target.toString()));
      assertThat(targetStatus.isFile()).isTrue();
      assertThat(targetStatus.getLen()).isEqualTo(3);
      Path linked = new Path(link.toString());
      assertThat(ours.getFileLinkStatus(linked).getSymlink())
          .isEqualTo(hadoops.getFileLinkStatus(linked).getSymlink())
          .isEqualTo(new Path(target.toUri()));

      Path absent = new Path(dir.resolve("absent").toString());
      assertThatThrownBy(() -> ours.getFileLinkStatus(absent))
          .isInstanceOf(FileNotFoundException.class);
      assertThatThrownBy(() -> hadoops.getFileLinkStatus(absent))
          .isInstanceOf(FileNotFoundException.class);
    }
  }

  @Test
  void fileContextAnswersAFilesStatusThroughIt() throws Exception {
    FileContext files = FileContext.getLocalFSFileContext(conf);
    java.nio.file.Path file = Files.writeString(dir.resolve("00000.json"), "{}\n");
    FileStatus status = files.getFileLinkStatus(new Path(file.toUri()));
    assertThat(status.isFile()).isTrue();
    assertThat(status.isSymlink()).isFalse();
    assertThat(status.getLen()).isEqualTo(3);
    assertThatThrownBy(() -> files.getFileLinkStatus(new Path(dir.resolve("absent").toUri())))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void aRenameDoesNotReplaceAnExistingFile() throws Exception {
    FileContext files = FileContext.getLocalFSFileContext(conf);
    Path temporary = new Path(dir.resolve(".00001.json.tmp").toUri());
    Path commit = new Path(dir.resolve("00001.json").toUri());
    files.create(temporary, EnumSet.of(CreateFlag.CREATE)).close();
    files.rename(temporary, commit, Options.Rename.NONE);
    assertThat(Files.exists(dir.resolve("00001.json"))).isTrue();
    assertThat(permissions(dir.resolve("00001.json"))).isEqualTo("rw-------");

    files.create(temporary, EnumSet.of(CreateFlag.CREATE)).close();
    assertThatThrownBy(() -> files.rename(temporary, commit, Options.Rename.NONE))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  private static String permissions(java.nio.file.Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
