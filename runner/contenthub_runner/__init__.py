"""The content-creator runner: takes jobs from the runner-jobs queue, runs the creator, writes
progress and the result where functions/poll reads them. A container image on ECS in AWS,
a worker process in the local stack."""
