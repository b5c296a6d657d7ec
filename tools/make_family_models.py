#!/usr/bin/env python3
"""Tiny models of every non-M3 family + golden outputs (issue 8).

    /usr/bin/python3 tools/make_family_models.py   # writes test/fixtures/families/

Weights are seeded random; graphs are exported with torch.onnx (opset 14) from the torch
modules in tools/families/models.py; goldens come from the independent float64 numpy
forward passes in tools/families/reference.py and pure-Python tokenizers
(families/wordpiece.py for BERT WordPiece, the M3 fixtures' SentencePiece model for XLM-R
and the Mistral-style decoder). See test/fixtures/families/README.md.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import string
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from families import bm42 as B  # noqa: E402
from families import models as M  # noqa: E402
from families import reference as R  # noqa: E402
from families import wordpiece as W  # noqa: E402
from m3fixtures import files as F  # noqa: E402
from m3fixtures import tokenizer as T  # noqa: E402
import make_tiny_models as MT  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, 'test', 'fixtures', 'families')
SEED = 20240801

TEXTS = {
    'english': 'BM25 is a bag-of-words retrieval function that ranks documents.',
    'query': 'What is BM25?',
    'accents': 'Café déjà vu: naïve façade!',
    'japanese': '東京は日本の首都です。',
    'unknown': 'pizza 🍕 party',
    'repeated': 'the cat and the dog and the cat',
    'running': 'The runners were running quickly; the runner runs.',
    'empty': '',
}


def r6(x) -> list:
    return np.round(np.asarray(x, dtype=np.float64), 7).tolist()


def write(path: str, text: str | bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(text.encode('utf-8') if isinstance(text, str) else text)


def jdump(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + '\n'


def bert_config(s: M.EncShape, arch: str, model_type: str = 'bert', **extra) -> str:
    d = {'architectures': [arch], 'model_type': model_type, 'hidden_size': s.hidden, 'num_hidden_layers': s.layers,
         'num_attention_heads': s.heads, 'intermediate_size': s.ffn, 'hidden_act': 'gelu',
         'max_position_embeddings': s.max_pos, 'type_vocab_size': s.type_vocab, 'vocab_size': s.vocab,
         'layer_norm_eps': s.eps, 'pad_token_id': s.pad_id}
    d.update(extra)
    return jdump(d)


def export_encoder(model: M.Encoder, path: str, types: bool, outputs: list[str], dyn: dict) -> None:
    ids = torch.tensor([[W.CLS, 10, 11, W.SEP]], dtype=torch.long)
    inputs = {'input_ids': ids, 'attention_mask': torch.ones_like(ids)}
    if types:
        inputs['token_type_ids'] = torch.zeros_like(ids)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    M.export(model, path, inputs, outputs, dyn)


HIDDEN_DYN = {'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'}}


def pools(h: np.ndarray) -> dict:
    return {'cls': r6(h[0]), 'mean': r6(h.mean(0)), 'max': r6(h.max(0)), 'mean_sqrt_len': r6(h.sum(0) / math.sqrt(len(h))),
            'lasttoken': r6(h[-1])}


def wp_files(d: str, vocab: list[str], max_len: int) -> None:
    write(os.path.join(d, 'tokenizer.json'), W.tokenizer_json(vocab))
    write(os.path.join(d, 'tokenizer_config.json'), W.tokenizer_config(max_len))


def make_bert_st(vocab: list[str], wp: W.WordPiece) -> dict:
    """sentence-transformers layout (E5 / GTE / all-MiniLM / slate): mean pooling + Normalize."""
    d = os.path.join(OUT, 'tiny-bert-st')
    s = M.EncShape(vocab=len(vocab))
    w = M.enc_weights(s, SEED + 1)
    export_encoder(M.Encoder(s, w, 'hidden'), os.path.join(d, 'onnx', 'model.onnx'), True, ['last_hidden_state'], HIDDEN_DYN)
    write(os.path.join(d, 'config.json'), bert_config(s, 'BertModel'))
    wp_files(d, vocab, s.max_pos)
    write(os.path.join(d, 'modules.json'), jdump([
        {'idx': 0, 'name': '0', 'path': '', 'type': 'sentence_transformers.models.Transformer'},
        {'idx': 1, 'name': '1', 'path': '1_Pooling', 'type': 'sentence_transformers.models.Pooling'},
        {'idx': 2, 'name': '2', 'path': '2_Normalize', 'type': 'sentence_transformers.models.Normalize'}]))
    write(os.path.join(d, '1_Pooling', 'config.json'), jdump({
        'word_embedding_dimension': s.hidden, 'pooling_mode_cls_token': False, 'pooling_mode_mean_tokens': True,
        'pooling_mode_max_tokens': False, 'pooling_mode_mean_sqrt_len_tokens': False,
        'pooling_mode_weightedmean_tokens': False, 'pooling_mode_lasttoken': False, 'include_prompt': True}))
    write(os.path.join(d, 'sentence_bert_config.json'), jdump({'max_seq_length': 128, 'do_lower_case': False}))
    ref = R.EncoderRef(s, w)
    cases = []
    for prefix in ('', 'query: ', 'passage: '):
        for name, text in TEXTS.items():
            for L in (16, 64):
                ids = wp.encode(prefix + text, L)
                h, _ = ref.run(ids)
                cases.append({'name': name, 'prefix': prefix, 'text': text, 'maxLength': L, 'inputIds': ids, 'pooled': pools(h)})
    return {'dir': 'tiny-bert-st', 'cases': cases}


def make_splade(vocab: list[str], wp: W.WordPiece, folder: str = 'tiny-splade', seed: int = SEED + 2) -> dict:
    """BertForMaskedLM + SPLADE pooling. `tiny-splade-query` (another seed, same vocabulary) is the
    query-side model of a separate query/document pair (naver/efficient-splade-VI-BT-large-query/-doc)."""
    d = os.path.join(OUT, folder)
    s = M.EncShape(vocab=len(vocab))
    h = s.hidden
    w = M.enc_weights(s, seed, {'mlm.dense.w': (h, h), 'mlm.dense.b': (h,), 'mlm.ln.g': (h,), 'mlm.ln.b': (h,),
                                     'mlm.bias': (s.vocab,)})
    w['mlm.ln.g'] = w['mlm.ln.g'] + 1
    w['mlm.bias'] = w['mlm.bias'] * 5 - 0.8  # most logits negative: a sparse output, as trained SPLADE
    export_encoder(M.Encoder(s, w, 'mlm'), os.path.join(d, 'onnx', 'model.onnx'), True, ['logits'],
                   {'logits': {0: 'batch_size', 1: 'sequence_length'}})
    write(os.path.join(d, 'config.json'), bert_config(s, 'BertForMaskedLM'))
    wp_files(d, vocab, s.max_pos)
    ref = R.EncoderRef(s, w)
    cases = []
    for name, text in TEXTS.items():
        for L in (16, 64):
            ids = wp.encode(text, L)
            hs, _ = ref.run(ids)
            act = np.log1p(np.maximum(ref.mlm_logits(hs), 0)).max(0)
            nz = np.nonzero(act > 0)[0]
            cases.append({'name': name, 'text': text, 'maxLength': L, 'inputIds': ids,
                          'sparse': {'ids': nz.tolist(), 'weights': r6(act[nz])}})
    return {'dir': folder, 'cases': cases}


def make_colbert(vocab: list[str], wp: W.WordPiece) -> dict:
    """colbert-ir / PyLate conventions: [CLS] marker … [SEP], [MASK] expansion to query_length
    (not attended to), punctuation skip-list on documents, Linear(H→16, no bias), L2."""
    d = os.path.join(OUT, 'tiny-colbert')
    s = M.EncShape(vocab=len(vocab))
    w = M.enc_weights(s, SEED + 3)
    rng = np.random.default_rng(SEED + 33)
    proj = (rng.standard_normal((16, s.hidden)) / math.sqrt(s.hidden)).astype(np.float32)
    export_encoder(M.Encoder(s, w, 'hidden'), os.path.join(d, 'onnx', 'model.onnx'), True, ['last_hidden_state'], HIDDEN_DYN)
    write(os.path.join(d, 'config.json'), bert_config(s, 'HF_ColBERT'))
    wp_files(d, vocab, s.max_pos)
    os.makedirs(os.path.join(d, '1_Dense'), exist_ok=True)
    F.save_safetensors(os.path.join(d, '1_Dense', 'model.safetensors'), {'linear.weight': proj})
    write(os.path.join(d, '1_Dense', 'config.json'), jdump({'in_features': s.hidden, 'out_features': 16, 'bias': False,
                                                            'activation_function': 'torch.nn.modules.linear.Identity'}))
    write(os.path.join(d, 'modules.json'), jdump([
        {'idx': 0, 'name': '0', 'path': '', 'type': 'sentence_transformers.models.Transformer'},
        {'idx': 1, 'name': '1', 'path': '1_Dense', 'type': 'pylate.models.Dense.Dense'}]))
    QL, DL = 12, 64
    write(os.path.join(d, 'config_sentence_transformers.json'), jdump({
        'query_prefix': '[unused0]', 'document_prefix': '[unused1]', 'query_length': QL, 'document_length': DL,
        'attend_to_expansion_tokens': False, 'skiplist_words': list(string.punctuation), 'do_query_expansion': True}))
    ref = R.EncoderRef(s, w)
    skip = {wp.ids[c] for c in string.punctuation if c in wp.ids}
    p64 = proj.astype(np.float64)

    def vecs(h: np.ndarray) -> np.ndarray:
        v = h @ p64.T
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)

    cases = []
    for name, text in TEXTS.items():
        pieces = wp.pieces(text)
        q = [W.CLS, W.Q_MARK] + pieces[:QL - 3] + [W.SEP]
        mask = [1] * len(q) + [0] * (QL - len(q))
        q = q + [W.MASK] * (QL - len(q))
        hq, _ = ref.run(q, mask=mask)
        dids = [W.CLS, W.D_MARK] + pieces[:DL - 3] + [W.SEP]
        hd, _ = ref.run(dids)
        keep = [i for i, t in enumerate(dids) if t not in skip]
        cases.append({'name': name, 'text': text, 'queryIds': q, 'queryVectors': r6(vecs(hq)), 'documentIds': dids,
                      'documentKept': keep, 'documentVectors': r6(vecs(hd)[keep])})
    return {'dir': 'tiny-colbert', 'queryLength': QL, 'documentLength': DL, 'cases': cases}


def make_bm42(vocab: list[str], wp: W.WordPiece) -> dict:
    d = os.path.join(OUT, 'tiny-bm42')
    s = M.EncShape(vocab=len(vocab))
    w = M.enc_weights(s, SEED + 4)
    attn = f'attention_{s.layers}'
    export_encoder(M.Encoder(s, w, 'attentions'), os.path.join(d, 'model.onnx'), True, ['last_hidden_state', attn],
                   {'last_hidden_state': {0: 'batch_size', 1: 'sequence_length'},
                    attn: {0: 'batch_size', 2: 'sequence_length', 3: 'sequence_length'}})
    write(os.path.join(d, 'config.json'), bert_config(s, 'BertModel'))
    wp_files(d, vocab, s.max_pos)
    write(os.path.join(d, 'stopwords.txt'), '\n'.join(B.STOPWORDS) + '\n')
    ref = R.EncoderRef(s, w)
    specials = {W.PAD, W.UNK, W.CLS, W.SEP, W.MASK}
    stop = set(B.STOPWORDS) | set(string.punctuation)
    cases = []
    for name in ('english', 'running', 'repeated', 'query'):
        text = TEXTS[name]
        ids = wp.encode(text, 64)
        _, probs = ref.run(ids)
        cls_attn = probs[:, 0, :].mean(0)
        words: list[tuple[str, list[int]]] = []
        for i, t in enumerate(ids):
            if t in specials:
                continue
            tok = wp.token(t)
            if tok.startswith('##') and words:
                words[-1] = (words[-1][0] + tok[2:], words[-1][1] + [i])
            else:
                words.append((tok, [i]))
        best: dict[str, float] = {}
        qterms: list[str] = []
        for word, idx in words:
            if word in stop:
                continue
            stem = B.STEMS[word]
            qterms.append(stem)
            best[stem] = max(best.get(stem, 0.0), float(sum(cls_attn[j] for j in idx)))
        doc = sorted(((B.term_id(t), math.log1p(v) ** 0.5, t) for t, v in best.items()))
        cases.append({'name': name, 'text': text, 'inputIds': ids, 'clsAttention': r6(cls_attn),
                      'document': {'ids': [x[0] for x in doc], 'weights': r6([x[1] for x in doc]), 'terms': [x[2] for x in doc]},
                      'query': {'ids': sorted({B.term_id(t) for t in qterms}), 'terms': sorted(set(qterms))}})
    return {'dir': 'tiny-bm42', 'attentionOutput': attn, 'cases': cases}


def make_roformer(vocab: list[str], wp: W.WordPiece) -> dict:
    d = os.path.join(OUT, 'tiny-roformer')
    s = M.EncShape(vocab=len(vocab), pos='rotary', max_pos=1024)
    w = M.enc_weights(s, SEED + 5)
    export_encoder(M.Encoder(s, w, 'hidden'), os.path.join(d, 'onnx', 'model.onnx'), True, ['last_hidden_state'], HIDDEN_DYN)
    write(os.path.join(d, 'config.json'), bert_config(s, 'RoFormerModel', 'roformer', rotary_value=False))
    wp_files(d, vocab, s.max_pos)
    ref = R.EncoderRef(s, w)
    cases = []
    for prefix in ('クエリ: ', '文章: ', 'query: ', 'passage: '):
        for name in ('japanese', 'english', 'query'):
            ids = wp.encode(prefix + TEXTS[name], 64)
            h, _ = ref.run(ids)
            cases.append({'name': name, 'prefix': prefix, 'text': TEXTS[name], 'maxLength': 64, 'inputIds': ids, 'mean': r6(h.mean(0))})
    long_text = ' '.join(W.CORPUS * 12)
    ids = wp.encode(long_text, 1024)
    assert len(ids) == 1024, len(ids)
    h, _ = ref.run(ids)
    cases.append({'name': 'long', 'prefix': '', 'text': long_text, 'maxLength': 1024, 'inputIds': ids, 'mean': r6(h.mean(0))})
    return {'dir': 'tiny-roformer', 'cases': cases}


def xlmr_tokenizer_files(d: str, mp: bytes, template: str) -> None:
    tj = json.loads(T.tokenizer_json(mp, 3002))
    if template == 'bos':
        tj['post_processor'] = {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '<s>', 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [0], 'tokens': ['<s>']}}}
    write(os.path.join(d, 'tokenizer.json'), json.dumps(tj, ensure_ascii=False, separators=(',', ':')) + '\n')
    write(os.path.join(d, 'tokenizer_config.json'), T.tokenizer_config(512))


def make_mistral(mp: bytes) -> dict:
    """E5-Mistral conventions: <s> text </s> (EOS appended), left padding, last-token pooling,
    'Instruct: {task}\\nQuery: {q}' on queries only."""
    d = os.path.join(OUT, 'tiny-mistral')
    s = M.DecShape(vocab=3002)
    w = M.dec_weights(s, SEED + 6)
    ids = torch.tensor([[0, 10, 11, 2]], dtype=torch.long)
    M.export(M.Decoder(s, w), os.path.join(d, 'onnx', 'model.onnx'),
             {'input_ids': ids, 'attention_mask': torch.ones_like(ids), 'position_ids': torch.arange(4)[None]},
             ['last_hidden_state'], HIDDEN_DYN)
    write(os.path.join(d, 'config.json'), jdump({
        'architectures': ['MistralModel'], 'model_type': 'mistral', 'hidden_size': s.hidden, 'num_hidden_layers': s.layers,
        'num_attention_heads': s.heads, 'num_key_value_heads': s.kv_heads, 'intermediate_size': s.ffn,
        'rms_norm_eps': s.eps, 'rope_theta': s.theta, 'max_position_embeddings': s.max_pos, 'vocab_size': s.vocab,
        'bos_token_id': 0, 'eos_token_id': 2, 'hidden_act': 'silu'}))
    xlmr_tokenizer_files(d, mp, 'bos')
    sp = T.processor(mp)
    ref = R.DecoderRef(s, w)
    task = 'Given a web search query, retrieve relevant passages that answer the query'
    cases = []
    for role in ('query', 'document'):
        for name in ('english', 'query', 'japanese', 'empty'):
            if role == 'query' and name == 'empty':
                continue  # 'Query: ' + '' ends in a space: SentencePiece drops it, tokenizer.json keeps a '▁' (see models/README)
            text = TEXTS[name]
            full = f'Instruct: {task}\nQuery: {text}' if role == 'query' else text
            for L in (16, 64):
                ids = T.encode(sp, full, L)  # <s> pieces </s>: BOS from the tokenizer, EOS appended
                h = ref.run(ids)
                cases.append({'name': name, 'role': role, 'text': text, 'maxLength': L, 'inputIds': ids, 'last': r6(h[-1])})
    return {'dir': 'tiny-mistral', 'task': task, 'cases': cases}


def make_nvembed(mp: bytes) -> dict:
    """NV-Embed conventions: bidirectional decoder, <s> text </s> (EOS appended), right padding,
    pooling inside the graph (latent attention + mean: `sentence_embedding`), instruction on
    queries only."""
    d = os.path.join(OUT, 'tiny-nvembed')
    s = M.DecShape(vocab=3002)
    w = M.dec_weights(s, SEED + 10)
    lw = M.latent_weights(s.hidden, 8, 48, SEED + 11)
    ids = torch.tensor([[0, 10, 11, 2]], dtype=torch.long)
    M.export(M.NVEmbedStyle(s, w, lw), os.path.join(d, 'onnx', 'model.onnx'),
             {'input_ids': ids, 'attention_mask': torch.ones_like(ids), 'position_ids': torch.arange(4)[None]},
             ['last_hidden_state', 'sentence_embedding'], {**HIDDEN_DYN, 'sentence_embedding': {0: 'batch_size'}})
    write(os.path.join(d, 'config.json'), jdump({
        'architectures': ['NVEmbedModel'], 'model_type': 'nvembed', 'hidden_size': s.hidden, 'num_hidden_layers': s.layers,
        'num_attention_heads': s.heads, 'num_key_value_heads': s.kv_heads, 'intermediate_size': s.ffn,
        'rms_norm_eps': s.eps, 'rope_theta': s.theta, 'max_position_embeddings': s.max_pos, 'vocab_size': s.vocab,
        'bos_token_id': 0, 'eos_token_id': 2, 'hidden_act': 'silu', 'latent_dim': s.hidden, 'num_latents_value': 8}))
    xlmr_tokenizer_files(d, mp, 'bos')
    sp = T.processor(mp)
    ref = R.DecoderRef(s, w, causal=False)
    task = 'Given a claim, retrieve documents that support or refute the claim'
    cases = []
    for role in ('query', 'document'):
        for name in ('english', 'query', 'japanese', 'repeated'):
            text = TEXTS[name]
            full = f'Instruct: {task}\nQuery: {text}' if role == 'query' else text
            for L in (16, 64):
                ids = T.encode(sp, full, L)
                pooled = R.nv_embed_pool(ref.run(ids), lw)
                cases.append({'name': name, 'role': role, 'text': text, 'maxLength': L, 'inputIds': ids, 'pooled': r6(pooled)})
    return {'dir': 'tiny-nvembed', 'task': task, 'cases': cases}


def make_reranker(mp: bytes) -> dict:
    """bge-reranker-v2-m3 conventions: XLMRobertaForSequenceClassification (1 label),
    pair <s> q </s></s> d </s>, score = logit (sigmoid optional)."""
    d = os.path.join(OUT, 'tiny-reranker')
    s = M.EncShape(vocab=3002, eps=1e-5, pos='roberta', pad_id=1, max_pos=514, type_vocab=1)
    h = s.hidden
    w = M.enc_weights(s, SEED + 7, {'cls.dense.w': (h, h), 'cls.dense.b': (h,), 'cls.out.w': (1, h), 'cls.out.b': (1,)})
    ids = torch.tensor([[0, 10, 11, 2]], dtype=torch.long)
    M.export(M.Encoder(s, w, 'classifier'), os.path.join(d, 'onnx', 'model.onnx'),
             {'input_ids': ids, 'attention_mask': torch.ones_like(ids)}, ['logits'], {'logits': {0: 'batch_size'}})
    write(os.path.join(d, 'config.json'), bert_config(s, 'XLMRobertaForSequenceClassification', 'xlm-roberta',
                                                      num_labels=1, id2label={'0': 'LABEL_0'}))
    xlmr_tokenizer_files(d, mp, 'xlmr')
    sp = T.processor(mp)
    ref = R.EncoderRef(s, w)
    pairs = [('query', 'english'), ('query', 'japanese'), ('repeated', 'running'), ('query', 'empty'), ('english', 'english')]
    cases = []
    for qn, dn in pairs:
        for L in (16, 64):
            qi = T.spm_to_hf(sp.encode(TEXTS[qn]))
            di = T.spm_to_hf(sp.encode(TEXTS[dn]))
            budget = L - 4
            qi = qi[:max(budget // 2, budget - len(di))]
            di = di[:budget - len(qi)]
            ids = [0] + qi + [2, 2] + di + [2]
            hs, _ = ref.run(ids)
            cases.append({'query': TEXTS[qn], 'document': TEXTS[dn], 'maxLength': L, 'inputIds': ids, 'logit': ref.classify(hs)})
    return {'dir': 'tiny-reranker', 'cases': cases}


def main() -> None:
    torch.manual_seed(0)
    if os.path.isdir(OUT):
        for e in os.listdir(OUT):
            if e.startswith('tiny-'):
                shutil.rmtree(os.path.join(OUT, e))
    vocab = W.build_vocab()
    wp = W.WordPiece(vocab)
    mp = MT.train_tokenizer()
    goldens = {'schemaVersion': 1, 'generator': 'tools/make_family_models.py', 'seed': SEED,
               'tolerance': 1e-4, 'specialIds': {'pad': W.PAD, 'unk': W.UNK, 'cls': W.CLS, 'sep': W.SEP, 'mask': W.MASK,
                                                 'queryMarker': W.Q_MARK, 'documentMarker': W.D_MARK},
               'texts': TEXTS}
    for key, fn in (('bertSt', lambda: make_bert_st(vocab, wp)), ('splade', lambda: make_splade(vocab, wp)),
                    ('spladeQuery', lambda: make_splade(vocab, wp, 'tiny-splade-query', SEED + 9)),
                    ('colbert', lambda: make_colbert(vocab, wp)), ('bm42', lambda: make_bm42(vocab, wp)),
                    ('roformer', lambda: make_roformer(vocab, wp)), ('mistral', lambda: make_mistral(mp)),
                    ('reranker', lambda: make_reranker(mp)), ('nvembed', lambda: make_nvembed(mp))):
        goldens[key] = fn()
        print('  ' + key, flush=True)
    write(os.path.join(OUT, 'goldens.json'), json.dumps(goldens, ensure_ascii=False, separators=(',', ':')) + '\n')


if __name__ == '__main__':
    main()
