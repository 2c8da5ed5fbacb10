"""Starts LocalStack community in host mode (no Docker) on the address in GATEWAY_LISTEN.

Written by `tap` into its local directory and run with the Python of the
virtualenv tap installed LocalStack into. Two adjustments to LocalStack:

* Lambda: in host mode, creating a function makes LocalStack fetch its runtime
  init binary and check for Docker, so every AWS::Lambda::Function would fail.
  With these two steps turned into no-ops, functions are created (and reach
  State=Active with the right CodeSha256) but cannot be invoked.
* EventBridge: LocalStack community fakes CodePipeline, and its EventBridge
  refuses rules that target a pipeline ("Unsupported target for Service:
  codepipeline"), which fails any stack with an S3-event-triggered pipeline.
  Such targets are accepted here and their events dropped, as faked as the
  pipeline itself.
* TAP_PARENT_PID (tests): exit when that process is gone, so an emulator started
  by a test run never outlives it.
"""

import os
import sys
import threading
import time


def _watch_parent(pid: int) -> None:
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(1)


def main() -> None:
    parent = os.environ.get("TAP_PARENT_PID")
    if parent:
        threading.Thread(target=_watch_parent, args=(int(parent),), daemon=True).start()

    from localstack.services.lambda_.invocation import docker_runtime_executor as dre

    dre.DockerRuntimeExecutor.prepare_version = classmethod(lambda cls, *a, **k: None)
    dre.DockerRuntimeExecutor.validate_environment = classmethod(lambda cls, *a, **k: True)

    from localstack.services.events import target as events_target

    class DroppedTargetSender(events_target.TargetSender):
        def send_event(self, event, trace_header):
            pass

    events_target.TargetSenderFactory.register_target_sender("codepipeline", DroppedTargetSender)

    from localstack.runtime import main as runtime_main

    sys.exit(runtime_main.main())


if __name__ == "__main__":
    main()
