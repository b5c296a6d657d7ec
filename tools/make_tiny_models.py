#!/usr/bin/python3
"""Generate BGE-M3-shaped test models (random weights) in the hub layouts trident loads.

Run with Debian's python3 (numpy, onnx 1.12, torch 1.13, sentencepiece):

  /usr/bin/python3 tools/make_tiny_models.py fixtures [--out test/fixtures/models]
      The committed fixtures: tiny-m3/, tiny-m3-aapot/, tiny-m3-xenova/, tiny-m3-int8/ and
      goldens.json (ids from sentencepiece, outputs from a float64 numpy forward pass).
  /usr/bin/python3 tools/make_tiny_models.py custom --out DIR [--hidden 64 --layers 2 --heads 4
      --ffn 128 --vocab N --max-positions 514 --seed 7 --layouts m3,aapot,xenova,int8]
      Any small shape (vocab >= the tokenizer's own size; extra ids get unused filler pieces).
  nice /usr/bin/python3 tools/make_tiny_models.py bench --out DIR [--layers 24 --layouts m3,int8]
      BGE-M3's exact shape (hidden 1024, 16 heads, FFN 4096, vocab 250002, 8194 positions),
      streamed tensor by tensor: fp32 with external data (~2.3 GB) and dynamic int8 (~0.6 GB).

Everything is deterministic: re-running writes byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from m3fixtures import corpus, goldens, layouts  # noqa: E402
from m3fixtures import tokenizer as T  # noqa: E402
from m3fixtures.weights import BGE_M3, Shape, Weights  # noqa: E402

SPM_VOCAB = 3000
FIXTURE_SEED = 20240601
# Observed with onnxruntime-node 1.30 on x86-64 (see test/unit/encode/fixtures.test.ts):
TOLERANCES = {
    'fp32': 1e-4,          # any fp32 layout vs the float64 goldens, max abs difference (observed 1e-6)
    'int8': 1e-2,          # model_quantized.onnx (batch of 1, no padding) vs goldens[].int8 (observed 2e-7)
    'int8VsFp32': 1e-1,    # model_quantized.onnx vs fp32 goldens, max abs difference (observed 0.056)
}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tokenizer_files(model_proto: bytes, vocab: int, model_max_length: int) -> dict[str, str]:
    return {
        'tokenizer.json': T.tokenizer_json(model_proto, vocab),
        'tokenizer_config.json': T.tokenizer_config(model_max_length),
        'special_tokens_map.json': T.special_tokens_map(),
    }


def train_tokenizer() -> bytes:
    return T.train_spm(corpus.build_corpus(), SPM_VOCAB)


def write_models(out: str, shape: Shape, seed: int, kinds: list[str], model_proto: bytes, dir_names: dict) -> None:
    tok = tokenizer_files(model_proto, shape.vocab, shape.max_positions - 2)
    w = Weights(shape, seed)
    for kind in kinds:
        t0 = time.time()
        layouts.write_layout(kind, os.path.join(out, dir_names[kind]), shape, w, tok)
        print(f'  {kind}: {time.time() - t0:.1f}s', flush=True)


def cmd_fixtures(args) -> None:
    mp = train_tokenizer()
    shape = Shape(vocab=T.natural_vocab_size(mp))
    out = args.out
    os.makedirs(out, exist_ok=True)
    print(f'fixtures -> {out} (vocab {shape.vocab})')
    write_models(out, shape, FIXTURE_SEED, list(layouts.LAYOUTS), mp, layouts.DIR_NAMES)
    doc = goldens.build(shape, Weights(shape, FIXTURE_SEED).all(), mp, FIXTURE_SEED, TOLERANCES)
    with open(os.path.join(out, 'goldens.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(goldens.dumps(doc))
    print(f'  goldens.json: {len(doc["cases"])} cases')


def _kinds(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(',') if k.strip()]
    bad = [k for k in kinds if k not in layouts.LAYOUTS]
    if bad or not kinds:
        raise SystemExit(f'--layouts: unknown {bad}; choose from {",".join(layouts.LAYOUTS)}')
    return kinds


def cmd_custom(args, shape: Shape) -> None:
    mp = train_tokenizer()
    natural = T.natural_vocab_size(mp)
    if shape.vocab < natural:
        raise SystemExit(f'--vocab {shape.vocab} is smaller than the tokenizer vocabulary ({natural})')
    names = {k: args.prefix + ('' if k == 'm3' else '-' + k) for k in layouts.LAYOUTS}
    print(f'{args.cmd} -> {args.out} {shape}')
    write_models(args.out, shape, args.seed, _kinds(args.layouts), mp, names)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd')
    f = sub.add_parser('fixtures', help='write the committed tiny fixtures + goldens.json')
    f.add_argument('--out', default=os.path.join(REPO, 'test', 'fixtures', 'models'))
    for name, default_layouts, prefix in (('custom', 'm3,aapot,xenova,int8', 'custom-m3'),
                                          ('bench', 'm3,int8', 'bge-m3-random')):
        c = sub.add_parser(name, help=f'write a {name} model into --out')
        c.add_argument('--out', required=True)
        c.add_argument('--layouts', default=default_layouts, help=f'comma list of {",".join(layouts.LAYOUTS)}')
        c.add_argument('--seed', type=int, default=7)
        c.add_argument('--prefix', default=prefix, help='directory name of the m3 layout; others get -<layout>')
        base = BGE_M3 if name == 'bench' else Shape(hidden=64, layers=2, heads=4, ffn=128, vocab=0)
        c.add_argument('--hidden', type=int, default=base.hidden)
        c.add_argument('--layers', type=int, default=base.layers)
        c.add_argument('--heads', type=int, default=base.heads)
        c.add_argument('--ffn', type=int, default=base.ffn)
        c.add_argument('--vocab', type=int, default=base.vocab, help='0 = the tokenizer\'s own size')
        c.add_argument('--max-positions', type=int, default=base.max_positions)
    args = p.parse_args(argv)
    if args.cmd in (None, 'fixtures'):
        if args.cmd is None:
            args = p.parse_args(['fixtures'])
        cmd_fixtures(args)
        return
    vocab = args.vocab
    if vocab == 0:
        vocab = T.natural_vocab_size(train_tokenizer())
    try:
        shape = Shape(hidden=args.hidden, layers=args.layers, heads=args.heads, ffn=args.ffn, vocab=vocab,
                      max_positions=args.max_positions)
    except ValueError as e:
        raise SystemExit(str(e))
    cmd_custom(args, shape)


if __name__ == '__main__':
    main()
