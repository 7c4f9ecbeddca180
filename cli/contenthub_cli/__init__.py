"""contenthub — the operator CLI of ContentHub Serverless."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("contenthub-serverless")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
