#!/usr/bin/env python3
"""A content-creator program that follows docs/creator-contract.md, for tests.

Its behaviour is chosen by a word in the topic: exit3, garbage, empty, notitle, huge, hang,
hang-hard (ignores SIGTERM), asyncfail, slow (async: runs 6 s); otherwise it writes a proper article.
State for --mode async lives in $FAKE_CREATOR_STATE (a folder)."""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

STATE = Path(os.environ.get("FAKE_CREATOR_STATE", "/tmp/fake-creator-state"))


def article(topic, keywords):
    body = f"# {topic}\n\n" + "\n".join(f"## {k}\n\n{k} matters for {topic}.\n" for k in keywords)
    return {
        "title": f"About {topic}",
        "body": body,
        "summary": f"On {topic}",
        "tags": keywords,
        "metadata": {"creator": "fake-cli"},
    }


def behave(topic):
    if "hang-hard" in topic:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(60)
    if "hang" in topic:
        time.sleep(60)
    if "exit3" in topic:
        print("boom: model unavailable", file=sys.stderr)
        sys.exit(3)
    if "garbage" in topic:
        print("this is not json")
        sys.exit(0)
    if "empty" in topic:
        sys.exit(0)
    if "notitle" in topic:
        print(json.dumps({"title": "", "body": "text"}))
        sys.exit(0)
    if "huge" in topic:
        sys.stdout.write(json.dumps({"title": "t", "body": "x" * 2_000_000}))
        sys.exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["generate", "status", "result", "cancel"])
    parser.add_argument("--mode", default="sync")
    parser.add_argument("--job-id")
    parser.add_argument("--topic", default="")
    parser.add_argument("--keywords", default="")
    parser.add_argument("--language")
    parser.add_argument("--tone")
    parser.add_argument("--length")
    args = parser.parse_args()
    keywords = [k for k in args.keywords.split(",") if k]
    STATE.mkdir(parents=True, exist_ok=True)
    if args.command == "generate" and args.mode == "sync":
        for percent, stage in ((20, "outlining"), (60, "drafting")):
            print(f"PROGRESS {percent} {stage}", file=sys.stderr, flush=True)
        behave(args.topic)
        print(json.dumps(article(args.topic, keywords), ensure_ascii=False))
        return
    if args.command == "generate":
        job = f"fake-{args.job_id.replace('#', '-')}"
        (STATE / job).write_text(json.dumps({"topic": args.topic, "keywords": keywords, "started": time.time()}))
        print(json.dumps({"job_id": job}))
        return
    record = json.loads((STATE / args.job_id).read_text())
    if args.command == "cancel":
        (STATE / args.job_id).unlink(missing_ok=True)
        return
    if args.command == "status":
        if "hang" in record["topic"]:
            print(json.dumps({"status": "running", "progress": 10, "stage": "stuck"}))
        elif "asyncfail" in record["topic"]:
            print(json.dumps({"status": "failed", "error": "quota exhausted"}))
        elif time.time() - record["started"] < (6.0 if "slow" in record["topic"] else 0.3):
            print(json.dumps({"status": "running", "progress": 50, "stage": "drafting"}))
        else:
            print(json.dumps({"status": "succeeded", "progress": 100}))
        return
    behave(record["topic"])
    print(json.dumps(article(record["topic"], record["keywords"]), ensure_ascii=False))


if __name__ == "__main__":
    main()
