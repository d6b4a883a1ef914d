#!/usr/bin/env python3
"""A training-like job that follows greenrun's checkpoint contract.

It does `--units` units of work, each taking `--unit-seconds`. Progress is
kept in a checkpoint file (`--checkpoint`). The contract (docs/execution.md):

  * On SIGUSR1 (or the signal given to `greenrun run --checkpoint-signal`),
    finish the current unit, save the checkpoint, and exit with status 0,
    within the grace period (`greenrun run --grace`, 30 s by default).
  * When started again with the same command, continue from the checkpoint.
  * When all the work is done, exit 0 (a restart then finds nothing to do).

Run it under greenrun, for example:

  greenrun run --pause-resume --max-delay 100% --expected-duration 6h \\
      --pause-mode checkpoint -- python3 examples/checkpointing_job.py --units 21600

The signal handling is greenrun's Python package (`greenrun.checkpoint_requested`,
docs/python.md); without the package installed, the same contract falls back to
a three-line handler from the standard library.
"""
import argparse
import json
import os
import signal
import sys
import time

try:
    from greenrun import checkpoint_requested
except ImportError:  # the package is not installed: the contract by hand
    _requested = []

    def checkpoint_requested(signal_name="SIGUSR1"):
        if not _requested:
            signal.signal(getattr(signal, signal_name), lambda *_: _requested.append(True))
            _requested.append(False)
        return _requested[-1]


def load(path):
    try:
        with open(path) as f:
            return int(json.load(f)["done"])
    except FileNotFoundError:
        return 0


def save(path, done):
    # Write then rename: a crash while saving leaves the old checkpoint whole.
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"done": done}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def log(path, line):
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=100)
    p.add_argument("--unit-seconds", type=float, default=0.05)
    p.add_argument("--checkpoint", default="checkpoint.json")
    p.add_argument("--log", default="", help="append what each run did to this file")
    p.add_argument("--signal", default="SIGUSR1")
    args = p.parse_args()

    # Installs the handler; the loop checks the flag at unit boundaries, so
    # the checkpoint is always consistent.
    checkpoint_requested(args.signal)
    done = load(args.checkpoint)
    first = done
    log(args.log, f"start pid={os.getpid()} from={done}")
    while done < args.units:
        time.sleep(args.unit_seconds)  # one unit of "training"
        done += 1
        if checkpoint_requested(args.signal) and done < args.units:
            save(args.checkpoint, done)
            log(args.log, f"checkpoint pid={os.getpid()} ran={done - first} at={done}")
            print(f"checkpointed at {done}/{args.units}", flush=True)
            return 0
    save(args.checkpoint, done)
    log(args.log, f"finished pid={os.getpid()} ran={done - first} total={done}")
    print(f"finished {done}/{args.units} units", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
