"""PyTorch's side of `deno task bench profile`: where a training step of the same model goes.

Takes one JSON case (vocab, block, layers, heads, embd, batch, steps), builds the step of
lib/bench/torch_gpt.py, times it unprofiled, then profiles `steps` steps with torch.profiler and
answers one JSON line: the unprofiled step time and the operators' self CPU time per step, with
their share of the profiled total (the profiler's own cost is in that total).
"""

import argparse
import json
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import median_seconds, trainer  # noqa: E402

TOP = 14  # operators listed; the rest are summed into one row


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", help="the case as JSON")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    case = json.loads(args.case)
    step = trainer(case, 1337)
    for _ in range(3):
        step()
    step_seconds = median_seconds(step, case["steps"])
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(case["steps"]):
            step()
    ops = [(e.key, e.self_cpu_time_total / 1000 / case["steps"]) for e in prof.key_averages()]
    ops.sort(key=lambda o: -o[1])
    total = sum(t for _, t in ops)
    rows = [dict(name=n, ms=t, share=t / total) for n, t in ops[:TOP]]
    rest = sum(t for _, t in ops[TOP:])
    rows.append(dict(name=f"{len(ops) - TOP} other operators", ms=rest, share=rest / total))
    print(json.dumps(dict(step_ms=1000 * step_seconds, ops=rows)))


if __name__ == "__main__":
    sys.exit(main())
