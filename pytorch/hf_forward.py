"""GPT-2's forward pass written from its Hugging Face layout alone, to check an exported folder.

    python3 pytorch/hf_forward.py out/hf --inputs case.json

Reads config.json and model.safetensors as GPT2LMHeadModel would — Conv1D weights (in, out), so
y = x @ W + b; the head tied to wte; gelu_new; LayerNorm with layer_norm_epsilon — and runs it in
float64 on the tokens of case.json ({"tokens": [...], "logits": [...]}, ours flattened (T, V)),
printing {"max_abs_diff": ...}: the largest difference between its logits and ours. Shares no
code with our model or with pytorch/train_gpt2.py, so that agreeing means something.
"""

import argparse
import json
import math
import struct

import torch


def tensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name != "__metadata__":
            start, end = info["data_offsets"]
            t = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).view(info["shape"])
            out[name.removeprefix("transformer.")] = t.double()
    return out


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(folder, tokens):
    with open(f"{folder}/config.json") as f:
        cfg = json.load(f)
    w = tensors(f"{folder}/model.safetensors")
    eps, NH = cfg["layer_norm_epsilon"], cfg["n_head"]
    T = len(tokens)
    x = w["wte.weight"][tokens] + w["wpe.weight"][:T]  # (T, C)
    C = x.shape[1]
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for l in range(cfg["n_layer"]):
        p = lambda name: w[f"h.{l}.{name}"]  # noqa: E731
        h = layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), eps)
        q, k, v = (h @ p("attn.c_attn.weight") + p("attn.c_attn.bias")).split(C, dim=1)
        q, k, v = (t.view(T, NH, C // NH).transpose(0, 1) for t in (q, k, v))  # (NH, T, HS)
        att = (q @ k.transpose(1, 2)) / math.sqrt(C // NH)
        y = att.masked_fill(~mask, float("-inf")).softmax(-1) @ v
        x = x + y.transpose(0, 1).reshape(T, C) @ p("attn.c_proj.weight") + p("attn.c_proj.bias")
        h = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), eps)
        x = x + gelu_new(h @ p("mlp.c_fc.weight") + p("mlp.c_fc.bias")) @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T  # (T, V)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder")
    p.add_argument("--inputs", required=True)
    args = p.parse_args()
    torch.set_num_threads(2)
    with open(args.inputs) as f:
        case = json.load(f)
    theirs = forward(args.folder, case["tokens"]).reshape(-1)
    ours = torch.tensor(case["logits"], dtype=torch.float64)
    print(json.dumps(dict(max_abs_diff=float((theirs - ours).abs().max()))))


if __name__ == "__main__":
    main()
