"""Keep training one of our models in PyTorch: on the CPU, a GPU, or several under torchrun.

    deno task export --ckpt out/train/tinyshakespeare-baby-char --to hf --data --out out/hf
    python3 pytorch/train_gpt2.py --model out/hf --out out/hf-torch --steps 500
    torchrun --standalone --nproc_per_node=2 pytorch/train_gpt2.py --model out/hf --out out/hf-torch
        (Debian's torch 1.13 on Python 3.11: add --redirects 1:2 --tee 1:2 after torchrun, or its
        launcher fails on its own default --redirects 0)
    deno task import --from out/hf-torch --out out/from-torch

Reads the Hugging Face GPT-2 folder `deno task export --to hf --data` writes (config.json,
model.safetensors with Conv1D weights stored (in, out), the tokenizer files, train.bin / val.bin
as uint16 tokens, minigpt_settings.json with the run's settings) and trains with what our trainer
uses: AdamW (decay 0.1 on matrices only, betas 0.9/0.99, eps 1e-8), gradient clipping at 1.0,
linear warmup then cosine decay to the floor at the last step. Writes the same kind of folder,
which `deno task import` brings back.

Under torchrun, DistributedDataParallel (gloo on the CPU, NCCL on GPUs) averages the gradients;
every process draws the same global batch and trains on its own slice, so N processes take the
steps one process would take on the whole batch. The GPT-2 module is written to our shapes
(nn.Linear, (out, in)) and needs only torch; --transformers uses Transformers' GPT2LMHeadModel.
"""

import argparse
import json
import math
import os
import shutil
import struct

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        # (B, NH, T, HS)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if hasattr(F, "scaled_dot_product_attention"):  # torch >= 2.0: the fused kernel
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            y = att.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, eps=1e-5)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd, eps=1e-5)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(n_embd, 4 * n_embd), c_proj=nn.Linear(4 * n_embd, n_embd)))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    """Our GPT: learned positions, pre-norm blocks, tanh GELU, 4x MLP, head tied to wte, no dropout."""

    def __init__(self, cfg):
        super().__init__()
        C = cfg["nEmbd"]
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg["vocabSize"], C),
            wpe=nn.Embedding(cfg["blockSize"], C),
            h=nn.ModuleList(Block(C, cfg["nHead"]) for _ in range(cfg["nLayer"])),
            ln_f=nn.LayerNorm(C, eps=1e-5),
        ))

    def forward(self, idx, targets=None):
        T = idx.shape[1]
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T, device=idx.device))
        for block in self.transformer.h:
            x = block(x)
        logits = self.transformer.ln_f(x) @ self.transformer.wte.weight.T  # tied head
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def read_safetensors(path):
    """Tensors of a safetensors file, read by hand so that no extra package is needed."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}, only F32 is read")
        start, end = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).view(info["shape"])
    return out


def write_safetensors(path, tensors):
    """The safetensors file of `tensors` (F32), written beside `path` and renamed over it."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, t in tensors.items():
        header[name] = dict(dtype="F32", shape=list(t.shape), data_offsets=[offset, offset + t.numel() * 4])
        offset += t.numel() * 4
    head = json.dumps(header).encode()
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)  # the data starts 8-byte aligned
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for t in tensors.values():
            f.write(t.detach().cpu().contiguous().numpy().astype("<f4").tobytes())
    os.replace(path + ".tmp", path)


def hf_config(folder):
    with open(os.path.join(folder, "config.json")) as f:
        return json.load(f)


def load_ours(folder):
    """Our module with the weights of an HF GPT-2 folder (Conv1D (in, out) turned to (out, in))."""
    hf = hf_config(folder)
    model = GPT(dict(vocabSize=hf["vocab_size"], blockSize=hf["n_positions"], nLayer=hf["n_layer"],
                     nHead=hf["n_head"], nEmbd=hf["n_embd"]))
    state = {}
    for name, t in read_safetensors(os.path.join(folder, "model.safetensors")).items():
        key = name if name.startswith(("transformer.", "lm_head.")) else "transformer." + name
        if key == "lm_head.weight" or key.endswith((".attn.bias", ".attn.masked_bias")):
            continue  # the head is wte; the causal mask is not a weight
        state[key] = t.T.contiguous() if key.endswith(CONV1D) else t
    model.load_state_dict(state)
    return model


def save_hf(model, source, out):
    """An HF GPT-2 folder at `out`: the weights in GPT-2's layout, config and tokenizer from `source`."""
    tmp = out + ".writing"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    if hasattr(model, "save_pretrained"):  # Transformers' own model writes its own files
        model.save_pretrained(tmp, safe_serialization=True)
    else:
        tensors = {k: (v.T if k.endswith(CONV1D) else v) for k, v in model.state_dict().items()}
        write_safetensors(os.path.join(tmp, "model.safetensors"), tensors)
        shutil.copy(os.path.join(source, "config.json"), tmp)
    for name in ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "minigpt_settings.json"):
        if os.path.exists(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), tmp)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.replace(tmp, out)


def learning_rate(step, s):
    """Our schedule (lib/train/schedule.ts): linear warmup, then cosine down to min_lr at the last step."""
    if step < s.warmup:
        return s.lr * (step + 1) / (s.warmup + 1)
    if step >= s.steps:
        return s.min_lr
    progress = (step - s.warmup) / (s.steps - s.warmup)
    return s.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (s.lr - s.min_lr)


def batch(data, B, T, seed, rank, world, device):
    """This process's slice of a global batch of B windows; every process draws the same B starts."""
    g = torch.Generator().manual_seed(seed)
    starts = torch.randint(len(data) - T, (B,), generator=g)[rank * B // world:(rank + 1) * B // world]
    x = torch.stack([torch.from_numpy(data[i:i + T].astype(np.int64)) for i in starts.tolist()])
    y = torch.stack([torch.from_numpy(data[i + 1:i + 1 + T].astype(np.int64)) for i in starts.tolist()])
    return x.to(device), y.to(device)


def mean_over_processes(x, world):
    if world > 1:
        dist.all_reduce(x)
        x /= world
    return x.item()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="HF GPT-2 folder from `deno task export --to hf`")
    p.add_argument("--data", help="folder with train.bin / val.bin (default: the model's folder)")
    p.add_argument("--out", help="HF folder to write at every evaluation and at the end")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, help="global batch, split across processes")
    p.add_argument("--lr", type=float, help="peak learning rate (min_lr is a tenth of it)")
    p.add_argument("--warmup", type=int)
    p.add_argument("--eval-every", type=int)
    p.add_argument("--eval-batches", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--batch-file", help="JSON {inputs, targets} (B, T): train on this one batch (tests)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--transformers", action="store_true", help="use Transformers' GPT2LMHeadModel")
    args = p.parse_args()

    # The run's own settings, as `deno task export` saved them; flags override them.
    saved = {}
    path = os.path.join(args.model, "minigpt_settings.json")
    if os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
    pick = lambda flag, key, default: flag if flag is not None else saved.get(key, default)  # noqa: E731
    s = argparse.Namespace(
        steps=args.steps, lr=pick(args.lr, "maxLr", 1e-3), warmup=pick(args.warmup, "warmupSteps", 100),
        batch=pick(args.batch_size, "batchSize", 12), seed=pick(args.seed, "seed", 1337),
        eval_every=pick(args.eval_every, "evalEvery", 250), eval_batches=pick(args.eval_batches, "evalBatches", 20),
        beta1=saved.get("beta1", 0.9), beta2=saved.get("beta2", 0.99), weight_decay=saved.get("weightDecay", 0.1),
        grad_clip=saved.get("gradClip", 1.0))
    s.min_lr = args.lr / 10 if args.lr is not None else saved.get("minLr", s.lr / 10)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = args.device
    if world > 1:
        cuda = device.startswith("cuda")
        dist.init_process_group("nccl" if cuda else "gloo")
        if cuda:
            device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
            torch.cuda.set_device(device)
    torch.set_num_threads(max(1, args.threads // world) if device == "cpu" else args.threads)
    if s.batch % world:
        raise SystemExit(f"--batch-size {s.batch} must split evenly over {world} processes")
    torch.manual_seed(s.seed)

    if args.transformers:
        from transformers import GPT2LMHeadModel
        model = GPT2LMHeadModel.from_pretrained(args.model).to(device)

        def forward(m, x, y):
            logits = m(x).logits
            return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
    else:
        model = load_ours(args.model).to(device)

        def forward(m, x, y):
            return m(x, y)
    T = hf_config(args.model)["n_positions"]
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([dict(params=decay, weight_decay=s.weight_decay), dict(params=no_decay, weight_decay=0.0)],
                            lr=s.lr, betas=(s.beta1, s.beta2), eps=1e-8)
    ddp = nn.parallel.DistributedDataParallel(model) if world > 1 else model

    if args.batch_file:
        with open(args.batch_file) as f:
            fixed = json.load(f)
        xs, ys = (torch.tensor(fixed[k], dtype=torch.long) for k in ("inputs", "targets"))
        s.batch, T = xs.shape
        b = s.batch // world
        fixed_batch = (xs[rank * b:(rank + 1) * b].to(device), ys[rank * b:(rank + 1) * b].to(device))
    else:
        folder = args.data or args.model
        train = np.memmap(os.path.join(folder, "train.bin"), dtype=np.uint16, mode="r")
        val = np.memmap(os.path.join(folder, "val.bin"), dtype=np.uint16, mode="r")

    def evaluate(step):
        model.eval()
        with torch.no_grad():
            losses = [forward(model, *batch(val, s.batch, T, s.seed + 10**6 * (i + 1) + step, rank, world,
                                            device))[1] for i in range(s.eval_batches)]
        model.train()
        return mean_over_processes(torch.stack(losses).mean(), world)

    for step in range(s.steps):
        if not args.batch_file and step > 0 and step % s.eval_every == 0:
            val_loss = evaluate(step)
            if rank == 0:
                print(json.dumps(dict(step=step, val_loss=val_loss)), flush=True)
                if args.out:
                    save_hf(model, args.model, args.out)
        lr = learning_rate(step, s)
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = fixed_batch if args.batch_file else batch(train, s.batch, T, s.seed + step, rank, world, device)
        _, loss = forward(ddp, x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), s.grad_clip) if s.grad_clip > 0 else torch.nan
        opt.step()
        loss = mean_over_processes(loss.detach(), world)
        if rank == 0:
            print(json.dumps(dict(step=step, loss=loss, lr=lr, grad_norm=float(norm), processes=world)), flush=True)
    if not args.batch_file:
        val_loss = evaluate(s.steps)  # every process takes part in the all-reduce
        if rank == 0:
            print(json.dumps(dict(step=s.steps, val_loss=val_loss)), flush=True)
    if rank == 0 and args.out:
        save_hf(model, args.model, args.out)
    if world > 1:
        # Every process reaches this point before any leaves the group: without it, a process
        # that is done can tear the group down while the other still waits on it, and hangs.
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
