"""Fairgrove nightly retraining as an Airflow DAG: the same spark-submit command as the systemd
unit and the crontab line, one task per prediction task.

Exit codes of `fairgrove nightly`: 0 promoted, 3 the gate kept the champion, 4 nothing new to
train on, 5 another run holds the lock, 1 a stage failed (resumable), 2 configuration error.
0 and 3 end the task as success (both are decisions; the decision is in ops.promotion_decisions),
4 and 5 as skipped, 1 and 2 as failed. A retry resumes the failed run (--resume) instead of
starting over.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

JAR = "/opt/fairgrove/fairgrove-jobs.jar"
TASKS = ["t2d-1y"]

# `try_number` > 1 means Airflow is retrying: continue the run that failed.
NIGHTLY = (
    'cd /var/lib/fairgrove && "$SPARK_HOME/bin/spark-submit" '
    "--class org.fairgrove.jobs.FairgroveCli " + JAR + " nightly --task {task}"
    "{{{{ ' --resume' if ti.try_number > 1 else '' }}}}; "
    "rc=$?; case $rc in 0|3) exit 0;; *) exit $rc;; esac"
)

with DAG(
    dag_id="fairgrove_nightly",
    start_date=datetime(2026, 12, 1),
    schedule="0 2 * * *",
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
    tags=["fairgrove"],
) as dag:
    for task in TASKS:
        BashOperator(
            task_id=f"nightly_{task.replace('-', '_')}",
            bash_command=NIGHTLY.format(task=task),
            env={"FAIRGROVE_CONF": "cluster,nightly"},
            append_env=True,
            skip_on_exit_code=[4, 5],
            execution_timeout=timedelta(hours=6),
        )
