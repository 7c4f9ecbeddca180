"""The operator-facing API functions that belong to no pipeline component: task submission and
task operations, accounts, and contents (review, which may announce on the content bus)."""

from aws_cdk import Duration
from constructs import Construct

from contenthub.resources import Principal
from infra.components.lambdas import Lambdas
from infra.components.publishing import Publishing
from infra.wiring import Wiring


class OperatorApi(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, lambdas: Lambdas, wiring: Wiring, publishing: Publishing
    ) -> None:
        super().__init__(scope, construct_id)
        self.submit = lambdas.function(self, Principal.SUBMIT, "Tasks API: submit, batch", Duration.seconds(30))
        self.tasks = lambdas.function(
            self, Principal.TASKS, "Tasks API: read, list, cancel, retry, cleanup, stats", Duration.seconds(30)
        )
        self.accounts = lambdas.function(self, Principal.ACCOUNTS, "Accounts API", Duration.seconds(10))
        self.contents = lambdas.function(
            self, Principal.CONTENTS, "Contents API: list, read, review", Duration.seconds(10)
        )
        publishing.allow_scheduling(self.contents)  # approving auto-published content announces it
        for principal, fn in ((Principal.SUBMIT, self.submit), (Principal.TASKS, self.tasks),
                              (Principal.ACCOUNTS, self.accounts), (Principal.CONTENTS, self.contents)):  # fmt: skip
            wiring.use(principal, fn)
