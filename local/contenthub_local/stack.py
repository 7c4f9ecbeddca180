"""Start and stop the whole local stack in one process."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import requests
from botocore.config import Config
from moto.server import ThreadedMotoServer

from contenthub.resources import PRINCIPAL_VARIABLE, Principal, environment_from_outputs
from contenthub.settings import DEPLOYED
from contenthub_local import deploy, limits, moto_seams
from contenthub_local.api_server import ApiServer, load_routes
from contenthub_local.event_sources import SqsPoller
from contenthub_local.iam import Authorizer, Identity, Principals
from contenthub_local.lambda_adapter import LambdaAdapter
from contenthub_local.scheduler import SchedulerAdapter
from contenthub_local.synth import synth
from infra.constants import STACK_NAME

log = logging.getLogger("contenthub_local")
REGION = "us-east-1"
# moto's notices while it deploys (and its executing backend's error reports) go to the log folder.
MOTO_LOGGERS = ("moto", "py.warnings")
_SKIPPED = re.compile(r"(?:No Moto CloudFormation support for|Tried to parse) (AWS::[A-Za-z0-9:]+)")
# The administrator's credentials: the tests and the local stack's own setup (deploy, adapters).
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
# How long a DynamoDB transaction holds its items (TransactionConflict for overlapping ones).
TRANSACTION_HOLD_MS = "CONTENTHUB_LOCAL_TRANSACTION_HOLD_MS"
# IAM evaluation of the product's principals (on by default; "0" switches it off).
IAM_SWITCH = "CONTENTHUB_LOCAL_IAM"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalStack:
    api_port: int = 0
    moto_port: int = 0
    context: dict[str, str] = field(default_factory=dict)
    runner_env: dict[str, str] = field(default_factory=dict)
    runners: int = 1
    workdir: Path | None = None

    def __post_init__(self) -> None:
        self._own_workdir = self.workdir is None
        self.workdir = Path(self.workdir or tempfile.mkdtemp(prefix="contenthub-local-"))
        self.log_dir = self.workdir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.outputs: dict[str, str] = {}
        self.pollers: list[SqsPoller] = []
        self.runner_processes: list[subprocess.Popen[bytes]] = []
        self.server: ThreadedMotoServer | None = None
        self.api: ApiServer | None = None
        self.adapter: LambdaAdapter | None = None
        self.scheduler: SchedulerAdapter | None = None
        self.principals: Principals | None = None
        self.authorizer: Authorizer | None = None
        self.runner_identity: Identity | None = None
        self._undo: list[Any] = []
        self.skipped_types: set[str] = set()  # template resource types moto's CloudFormation does not create
        self._clients_as: dict[tuple[str, str], Any] = {}
        self._clients_lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def api_url(self) -> str:
        assert self.api is not None
        return self.api.url

    def client(self, service: str) -> Any:
        """A client as the account's administrator (not evaluated). Its pool fits the local API's
        concurrent requests (the API server shares one Lambda client between its threads)."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(max_pool_connections=64),
        )

    def client_as(self, service: str, role_arn: str, label: str) -> Any:
        """A client that calls with a role's credentials (evaluated against that role's policies)."""
        assert self.principals is not None
        credentials = self.principals.credentials_of_role(role_arn, label)
        with self._clients_lock:  # one per role and service; boto3's session is not thread-safe
            key = (service, role_arn)
            if key not in self._clients_as:
                self._clients_as[key] = boto3.client(  # type: ignore[call-overload]
                    service, endpoint_url=self.endpoint, region_name=REGION, **credentials
                )
            return self._clients_as[key]

    def aws_env(self) -> dict[str, str]:
        """Environment for any process that talks to this stack (functions, runner, CLI, tests)."""
        return {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- steps --------------------------------------------------------------------------------
    def _start(self) -> None:
        os.environ.update(FAKE_CREDENTIALS)
        self.moto_port = self.moto_port or free_port()
        # moto's Step Functions executor calls back into the server on MOTO_PORT.
        os.environ["MOTO_PORT"] = str(self.moto_port)
        # AWS managed policies exist (the functions' roles attach AWSLambdaBasicExecutionRole).
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        self._undo.append(self._moto_notices_to_log_folder())
        log.info("synthesizing the CDK app")
        assembly = synth(self.context, log=self.log_dir / "synth.log")

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.server.start()
        requests.post(
            f"{self.endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        ).raise_for_status()
        # Strict like AWS: the front door (IAM, request limits), Lambda's configuration limits,
        # DynamoDB's atomicity and transaction conflicts, Step Functions' uncatchable errors.
        self.principals = Principals(self.client("sts"))
        iam_on = os.environ.get(IAM_SWITCH, "1") != "0"
        self.authorizer = Authorizer(self.principals, denials_log=self.log_dir / "iam-denials.log") if iam_on else None
        self._undo += [
            moto_seams.make_dynamodb_atomic(hold_ms=float(os.environ.get(TRANSACTION_HOLD_MS, "5"))),
            moto_seams.check_every_request(self._front_door),
            moto_seams.check_lambda_configuration(limits.check_function, limits.check_mapping),
            moto_seams.leave_terminal_errors_to_the_execution(),
        ]
        self.adapter = LambdaAdapter(
            self.workdir / "lambda", self.log_dir, {**os.environ, **self.aws_env()},  # type: ignore[operator]
            credentials=self._function_credentials,
        )  # fmt: skip
        self.adapter.install()

        log.info("deploying %s into moto at %s", STACK_NAME, self.endpoint)
        clients = SimpleNamespace(**{s: self.client(s) for s in ("ssm", "s3", "cloudformation", "iam")})
        deploy.bootstrap(clients, REGION)
        deploy.upload_assets(clients, assembly, STACK_NAME, REGION)
        self.outputs = deploy.create_stack(clients, assembly, STACK_NAME, REGION)
        deploy.attach_managed_policies(clients, assembly, STACK_NAME, REGION)
        moto_seams.register_state_machines(REGION)
        moto_seams.stop_delivery_inside_send_message(REGION)  # event_sources.py delivers instead
        self._create_skipped_secrets()

        # Every principal calls with its own role's credentials, as on AWS.
        functions = moto_seams.deployed_functions(REGION)
        for fn in functions:
            self._function_credentials(fn)
        self._undo.append(
            moto_seams.run_state_machine_tasks_as(lambda arn: self.principals.credentials_of_role(arn, "state machine"))  # type: ignore[union-attr]
        )
        runner_role = deploy.role_arn_of(clients, assembly, STACK_NAME, "AWS::ECS::TaskDefinition", "TaskRoleArn")
        if runner_role:
            self.runner_identity = self.principals.assume(runner_role, Principal.RUNNER.value, "runner")
        self.adapter.prewarm(functions)

        lambda_client = self.client("lambda")
        roles = {fn.function_arn: fn.role for fn in functions}
        for mapping in lambda_client.list_event_source_mappings()["EventSourceMappings"]:
            if mapping.get("State", "Enabled") in ("Enabled", "Creating") and mapping["EventSourceArn"].startswith(
                "arn:aws:sqs"
            ):
                # Lambda's poller reads the queue with the function's own role, as on AWS.
                sqs = self.client_as("sqs", roles[mapping["FunctionArn"]], "event source mapping")
                poller = SqsPoller(mapping, sqs, lambda_client, REGION)
                poller.start()
                self.pollers.append(poller)

        self.scheduler = SchedulerAdapter(
            self.client("scheduler"), self._invoke, self.client("events"),
            as_role=lambda service, role: self.client_as(service, role, "scheduler"),
        )  # fmt: skip
        self.scheduler.start()

        rest_api_id = self.outputs["RestApiId"]
        self.api = ApiServer(
            load_routes(self.client("apigateway"), rest_api_id), lambda_client, rest_api_id, port=self.api_port,
            controls={"/_local/scheduler/advance": self._advance_clock, "/_local/faults/lambda": self._inject_fault},
        )  # fmt: skip
        self.api.start()
        for index in range(self.runners):
            self.start_runner(index)

    def _moto_notices_to_log_folder(self) -> Any:
        """moto's log lines and warnings (a line per resource type its CloudFormation skips, its
        executing backend's error reports) go to logs/moto.log; the skipped types are collected."""
        skipped = self.skipped_types

        class Skipped(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                found = _SKIPPED.search(record.getMessage())
                if found:
                    skipped.add(found.group(1))

        to_file = logging.FileHandler(self.log_dir / "moto.log", encoding="utf-8")
        to_file.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handlers = [to_file, Skipped()]
        logging.captureWarnings(True)
        for name in MOTO_LOGGERS:
            logger = logging.getLogger(name)
            for handler in handlers:
                logger.addHandler(handler)
            logger.propagate = False

        def undo() -> None:
            for name in MOTO_LOGGERS:
                logger = logging.getLogger(name)
                for handler in handlers:
                    logger.removeHandler(handler)
                logger.propagate = True
            logging.captureWarnings(False)
            to_file.close()

        return undo

    def _front_door(self, request: moto_seams.Request) -> None:
        limits.check_request(request)
        if self.authorizer is not None:
            self.authorizer.check(request)

    def _function_credentials(self, fn: Any) -> dict[str, str]:
        """A function's execution environment calls with its execution role (session: the function's name)."""
        assert self.principals is not None
        label = str(fn.environment_vars.get(PRINCIPAL_VARIABLE) or fn.function_name)
        return self.principals.assume(fn.role, label, fn.function_name).environment()

    def _invoke(self, function_arn: str, payload: dict[str, Any]) -> Any:
        response = self.client("lambda").invoke(FunctionName=function_arn, Payload=json.dumps(payload).encode())
        result = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            raise RuntimeError(f"{function_arn} failed: {result}")
        return result

    def _advance_clock(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST /_local/scheduler/advance {"seconds": N}: move the scheduler's clock and fire what is due."""
        assert self.scheduler is not None
        now, fired = self.scheduler.advance_and_fire(float(request["seconds"]))
        return {"now": now.isoformat(), "fired": [{"schedule": n, "scheduled_time": t} for n, t in fired]}

    def _inject_fault(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST /_local/faults/lambda {"function": "Poll", "kind": "service_error"|"throttle"|"function_error",
        "count": N, "match": "task-…", "message": "...", "error_type": "..."}: the function's next N
        invocations (whose event contains `match`) fail so, without running its code."""
        assert self.adapter is not None
        name = self.function_name(str(request["function"]))
        self.adapter.inject(
            name, str(request["kind"]), int(request.get("count", 1)), str(request.get("message", "")),
            str(request.get("error_type", "")), str(request.get("match", "")),
        )  # fmt: skip
        return {"function": name, "kind": request["kind"], "count": int(request.get("count", 1))}

    def _create_skipped_secrets(self) -> None:
        """moto's CloudFormation skips AWS::SecretsManager::Secret; create the webhook signing
        secret the stack declares, with a value generated as the template's generator would."""
        name = self.outputs.get("WebhookSecretName")
        if not name:
            return
        secrets = self.client("secretsmanager")
        try:
            secrets.describe_secret(SecretId=name)
        except secrets.exceptions.ResourceNotFoundException:
            key = secrets.get_random_password(PasswordLength=32, ExcludePunctuation=True, IncludeSpace=False)
            value = json.dumps({"prefix": "whsec_", "key": key["RandomPassword"]})
            secrets.create_secret(Name=name, SecretString=value)

    def runner_environment(self) -> dict[str, str]:
        """The runner's environment as the stack gives the ECS container: the deployed settings
        (the functions' values: poll judges a job's heartbeat by RUNNER_HEARTBEAT_SECONDS) and the
        resources the runner uses (contenthub/resources.py), then --runner-env."""
        variables = self.client("lambda").get_function_configuration(FunctionName=self.function_name("poll"))
        deployed = {k: v for k, v in variables["Environment"]["Variables"].items() if k in DEPLOYED}
        return {
            **os.environ,
            **self.aws_env(),
            **(self.runner_identity.environment() if self.runner_identity else {}),
            **deployed,
            **environment_from_outputs(self.outputs, Principal.RUNNER),
            "POWERTOOLS_SERVICE_NAME": "contenthub-runner",
            **self.runner_env,
        }

    def start_runner(self, index: int = 0) -> subprocess.Popen[bytes]:
        log_file = open(self.log_dir / f"runner-{index}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "contenthub_runner"], env=self.runner_environment(), stdout=log_file,
            stderr=log_file,
        )  # fmt: skip
        self.runner_processes.append(process)
        return process

    def function_name(self, function: str) -> str:
        """The deployed name of a function, by its principal (`poll`; `Poll` and `HandleResult` too)."""
        wanted = re.sub(r"(?<!^)(?=[A-Z])", "_", function).lower()
        for fn in self.client("lambda").list_functions()["Functions"]:
            if (fn.get("Environment") or {}).get("Variables", {}).get(PRINCIPAL_VARIABLE) == wanted:
                return str(fn["FunctionName"])
        raise LookupError(f"no function {function} in the stack")

    def stop(self) -> None:
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        # Everything is told to stop first, then waited for: stopping takes the slowest part's
        # time, not the sum of all.
        for process in self.runner_processes:
            if process.poll() is None:
                process.terminate()
        for poller in self.pollers:
            poller.stopping.set()
        if self.scheduler:
            self.scheduler.stop()
        for poller in self.pollers:
            poller.stop()
        for process in self.runner_processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.api:
            self.api.stop()
        if self.adapter:
            self.adapter.uninstall()
        if self.server:
            self.server.stop()
        for undo in reversed(self._undo):
            undo()
        self._undo = []
        if self._own_workdir and os.environ.get("CONTENTHUB_KEEP_LOCAL") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)  # type: ignore[arg-type]
