"""PyTorch side of `deno task bench e2e`: our GPT (the module of lib/bench/torch_gpt.py) trained
the nanoGPT way on a text corpus, and the loss over the whole validation split. Two jobs:

  train  one whole run, as nanoGPT's train.py runs shakespeare_char: the characters of the text in
         code-point order as the vocabulary, the first 90% of the tokens to train on and the rest
         to validate, B random windows per step, GPT-2's initialisation, warmup then cosine decay,
         AdamW (decay on matrices only), gradient clipping, an estimate of both losses over
         `evalBatches` batches every `evalEvery` steps and after the last, and a checkpoint
         (model and optimizer) whenever the validation loss improves after step 0. The model and
         settings come as one JSON object (--config: our preset's shape and training settings);
         the final weights go to OUT/final in our safetensors layout. Progress on stderr, one
         JSON line on stdout (tokens/s of the training steps, the evaluations).
  val    the mean loss of one of our checkpoint folders (ours, or the one `train` wrote) over
         the whole validation split: window w takes tokens w*T .. w*T+T-1 as inputs and the next
         T tokens as targets (T the context), every window once, --batch windows per forward
         pass; what lib/bench/split_loss.ts computes.

Run it with 2 threads and OpenMP OpenBLAS (lib/bench/e2e_run.ts starts it so).
"""

import argparse
import json
import math
import os
import sys
import time
from types import SimpleNamespace

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import load_ours  # noqa: E402
from train_gpt2 import GPT, learning_rate, write_safetensors  # noqa: E402  (torch_gpt puts it on the path)

VAL_FRACTION = 0.1


def load_splits(corpus):
    """The corpus's char tokens, cut into (train, val) where our TokenDataset cuts them."""
    with open(corpus, encoding="utf-8", newline="") as f:
        text = f.read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    cut = math.floor(len(ids) * (1 - VAL_FRACTION))
    return ids[:cut], ids[cut:], len(chars)


def get_batch(data, B, T):
    ix = torch.randint(len(data) - T, (B,))
    x = torch.stack([data[i:i + T] for i in ix.tolist()])
    y = torch.stack([data[i + 1:i + 1 + T] for i in ix.tolist()])
    return x, y


def init_weights(model, n_layer):
    """GPT-2's initialisation, as nanoGPT applies it: N(0, 0.02), the residual projections scaled
    by 1/sqrt(2L), biases 0, LayerNorm gains 1 (torch's own defaults would be far off)."""
    for name, p in model.named_parameters():
        if ".ln_" in name:
            torch.nn.init.ones_(p) if name.endswith(".weight") else torch.nn.init.zeros_(p)
        elif name.endswith(".bias"):
            torch.nn.init.zeros_(p)
        else:
            std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") else 0.02
            torch.nn.init.normal_(p, mean=0.0, std=std)


def clock(seconds):
    return f"{int(seconds // 60)}m{round(seconds % 60):02d}s" if seconds >= 60 else f"{round(seconds)}s"


def train(args):
    c = json.loads(args.config)
    train_ids, val_ids, vocab = load_splits(args.corpus)
    B, T, steps = c["batchSize"], c["blockSize"], c["steps"]
    torch.manual_seed(c["seed"])
    cfg = dict(vocabSize=vocab, blockSize=T, nLayer=c["nLayer"], nHead=c["nHead"], nEmbd=c["nEmbd"])
    model = GPT(cfg)
    init_weights(model, c["nLayer"])
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([dict(params=decay, weight_decay=c["weightDecay"]),
                             dict(params=no_decay, weight_decay=0.0)],
                            lr=c["maxLr"], betas=(c["beta1"], c["beta2"]), eps=1e-8)
    schedule = SimpleNamespace(lr=c["maxLr"], min_lr=c["minLr"], warmup=c["warmupSteps"], steps=steps)
    os.makedirs(args.out, exist_ok=True)

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        out = {}
        for split, data in (("train", train_ids), ("val", val_ids)):
            out[split] = sum(model(*get_batch(data, B, T))[1].item() for _ in range(c["evalBatches"])) / c["evalBatches"]
        model.train()
        return out

    evals, step_s, best = [], [], math.inf
    for step in range(steps + 1):
        if step % c["evalEvery"] == 0 or step == steps:
            losses = estimate_loss()
            evals.append(dict(step=step, train=losses["train"], val=losses["val"]))
            print(f"step {step}/{steps} · train {losses['train']:.4f} · val {losses['val']:.4f}",
                  file=sys.stderr, flush=True)
            if losses["val"] < best:
                best = losses["val"]
                if step > 0:
                    ckpt = dict(model=model.state_dict(), optimizer=opt.state_dict(), model_args=cfg,
                                iter_num=step, best_val_loss=best, config=c)
                    torch.save(ckpt, os.path.join(args.out, "ckpt.pt"))
        if step == steps:
            break
        t0 = time.perf_counter()
        x, y = get_batch(train_ids, B, T)
        lr = learning_rate(step, schedule)
        for group in opt.param_groups:
            group["lr"] = lr
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if c["gradClip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), c["gradClip"])
        opt.step()
        loss = loss.item()
        step_s.append(time.perf_counter() - t0)
        if (step + 1) % 50 == 0:
            recent = sorted(step_s[-50:])[len(step_s[-50:]) // 2]
            print(f"step {step + 1}/{steps} · loss {loss:.4f} · lr {lr:.2e} · {round(B * T / recent):,} tok/s · "
                  f"{clock((steps - step - 1) * recent)} left", file=sys.stderr, flush=True)
    final = os.path.join(args.out, "final")
    os.makedirs(final, exist_ok=True)
    write_safetensors(os.path.join(final, "model.safetensors"), model.state_dict())
    with open(os.path.join(final, "model.json"), "w") as f:
        json.dump(dict(cfg, positional="learned"), f)
    step_s.sort()
    print(json.dumps(dict(tok_s=B * T / step_s[len(step_s) // 2], evals=evals, vocab=vocab,
                          threads=torch.get_num_threads(), torch=torch.__version__)), flush=True)


@torch.no_grad()
def val(args):
    cfg, model = load_ours(args.ckpt)
    _, val_ids, _ = load_splits(args.corpus)
    T = cfg["blockSize"]
    windows = (len(val_ids) - 1) // T
    if windows < 1:
        raise SystemExit(f"the validation split has {len(val_ids)} tokens, too few for one window of {T + 1}")
    model.eval()
    total = 0.0
    for first in range(0, windows, args.batch):
        starts = range(first * T, min(first + args.batch, windows) * T, T)
        x = torch.stack([val_ids[s:s + T] for s in starts])
        y = torch.stack([val_ids[s + 1:s + 1 + T] for s in starts])
        total += model(x, y)[1].item() * len(starts)
    print(json.dumps(dict(val_loss=total / windows, windows=windows)), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("job", choices=["train", "val"])
    p.add_argument("--corpus", required=True, help="the UTF-8 text file to train on")
    p.add_argument("--config", help="train: JSON of the model's shape and the training settings")
    p.add_argument("--out", help="train: the run folder (ckpt.pt, final/)")
    p.add_argument("--ckpt", help="val: a folder with our model.safetensors and model.json")
    p.add_argument("--batch", type=int, default=32, help="val: windows per forward pass")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    train(args) if args.job == "train" else val(args)


if __name__ == "__main__":
    sys.exit(main())
