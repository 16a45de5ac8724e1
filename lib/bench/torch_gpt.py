"""PyTorch twin of minigpt-lab's GPT, for `deno task bench train`.

Same architecture as lib/model/gpt.ts (GPT-2: learned positions, pre-norm blocks, tanh GELU, 4x
MLP, LayerNorm eps 1e-5, output head tied to the token embeddings, no dropout; the module of
pytorch/train_gpt2.py), same optimizer and schedule as the trainer. Two jobs, answering JSON objects on stdout:

  serve   for each JSON line on stdin (a config, a batch size, a number of steps), train that
          config on random tokens for that many steps and report tokens/s (plus the BLAS torch
          uses and its matmul GFLOP/s, so that a crippled baseline cannot pass unnoticed)
  logits  load one of our safetensors checkpoints and compare its logits with ours

Run it with 2 threads and OpenMP OpenBLAS (see lib/bench/train.ts, which starts it).
"""

import argparse
import json
import os
import sys
import time

import torch

# The GPT module is the one pytorch/train_gpt2.py continues exported runs with.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pytorch"))
from train_gpt2 import GPT, read_safetensors  # noqa: E402


def load_ours(ckpt_dir):
    # saveGPT writes the config beside the weights as model.json
    with open(f"{ckpt_dir}/model.json") as f:
        cfg = json.load(f)
    cfg = cfg.get("model", cfg)
    model = GPT(cfg)
    tensors = read_safetensors(f"{ckpt_dir}/model.safetensors")
    state = {}
    for name, t in tensors.items():
        key = name if name.startswith("transformer.") or name.startswith("lm_head") else "transformer." + name
        if key.startswith("lm_head"):
            continue  # tied to wte
        state[key] = t
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise SystemExit(f"checkpoint names do not match: missing {missing[:4]}, unexpected {unexpected[:4]}")
    return cfg, model


def blas_info():
    # torch reports its build-time BLAS ("generic" on Debian); the library actually mapped into
    # this process is what decides the speed.
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line})
    blas = ", ".join(libs) or "none found"
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    times.sort()
    return blas, 2 * 1024**3 / times[len(times) // 2] / 1e9


def trainer(case, seed):
    """One training step of the given shape, as a function (model, optimizer and batch built once)."""
    torch.manual_seed(seed)
    cfg = dict(vocabSize=case["vocab"], blockSize=case["block"], nLayer=case["layers"], nHead=case["heads"],
               nEmbd=case["embd"])
    model = GPT(cfg)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([dict(params=decay, weight_decay=0.1), dict(params=no_decay, weight_decay=0.0)],
                            lr=1e-3, betas=(0.9, 0.99))
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, case["vocab"], (case["batch"], case["block"]), generator=g)
    y = torch.randint(0, case["vocab"], (case["batch"], case["block"]), generator=g)

    def step():
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    return step


def median_seconds(step, n):
    """The median time of n calls of step, in seconds."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def serve(args):
    """Answers one JSON line per request on stdin: a round of timed steps of that case, so that the
    caller can interleave its own rounds with ours in one run without restarting Python."""
    info = None  # measured after the first round, once OpenMP's threads are up and warm
    steps = {}
    print(json.dumps(dict(ready=True)), flush=True)  # torch is imported: the caller may start timing
    for line in sys.stdin:
        case = json.loads(line)
        key = json.dumps({k: v for k, v in case.items() if k != "steps"}, sort_keys=True)
        if key not in steps:
            steps[key] = trainer(case, args.seed)
            for _ in range(2):
                steps[key]()  # first steps allocate and warm the caches
        step = steps[key]
        step()  # like ours: the first step of a round may meet cold caches
        median = median_seconds(step, case["steps"])
        info = info or blas_info()
        print(json.dumps(dict(tok_s=case["batch"] * case["block"] / median, threads=torch.get_num_threads(),
                              blas=info[0], matmul_gflops=info[1], torch=torch.__version__)), flush=True)


def logits(args):
    _, model = load_ours(args.ckpt)
    with open(args.inputs) as f:
        case = json.load(f)
    idx = torch.tensor(case["tokens"], dtype=torch.long).view(1, -1)
    with torch.no_grad():
        out, _ = model(idx)
    theirs = out.view(-1)
    ours = torch.tensor(case["logits"], dtype=torch.float32)
    print(json.dumps(dict(max_abs_diff=float((theirs - ours).abs().max()))))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("job", choices=["serve", "logits"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--ckpt")
    p.add_argument("--inputs", help="JSON file with our tokens and logits")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    serve(args) if args.job == "serve" else logits(args)


if __name__ == "__main__":
    sys.exit(main())
