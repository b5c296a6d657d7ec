"""Deterministic multilingual training text for the tiny SentencePiece model.

Everything here is written by hand for this project (word lists, phrase
templates); a seeded ``random.Random`` combines them into sentences, so the
corpus (and therefore the trained tokenizer) is identical on every run.
"""

from __future__ import annotations

import random

ENGLISH = """
the a an and or but of to in on at for with from by about as into over after before under between
is are was were be been being have has had do does did will would can could should may might must
what which who whom whose where when why how this that these those there here it its they them their
we our you your he she his her i me my not no yes all any some many much more most few less least
model models embedding embeddings dense sparse lexical matching retrieval vector vectors multi token tokens
search index indexes query queries document documents passage passages score scores rank ranking
weight weights hybrid fusion interaction supporting language languages text texts word words sentence
cat cats dog dogs bird fish tree trees house houses city cities river mountain sea sun moon star
red green blue black white small large big little long short old new good bad fast slow happy
run runs running walk walks walked read reads reading write writes writing eat eats ate see saw seen
love loves loved like likes pizza coffee tea bread water apple apples banana music book books paper
time day days night week year years today tomorrow yesterday morning evening world people person
computer computers network data science function functions bag set based appearing each term terms
hello world please thank thanks friend friends family school teacher student students work worker
machine learning neural network training trained inference fast quick brown fox jumps lazy
number one two three four five six seven eight nine ten hundred thousand million first second third
""".split()

FRENCH = """
le la les un une des et ou mais de du au aux pour avec sans dans sur sous chez est sont était
café déjà vu naïve façade élève école été hôtel forêt fenêtre garçon français leçon où très après
bonjour merci maison chat chien ville rivière montagne livre lire écrire manger boire pain eau
""".split()

GERMAN = """
der die das ein eine und oder aber mit von zu für auf unter über ist sind war Größe Straße
schön müde Mädchen Bücher Äpfel übermorgen Frühstück Haus Katze Hund Stadt Fluss Berg Buch lesen
""".split()

SPANISH = """
el la los las un una y o pero de con sin en sobre es son está niño niña señor mañana año
canción corazón pequeño grande casa gato perro ciudad río montaña libro leer escribir comer
""".split()

JAPANESE = """
東京 は 日本 の 首都 です 。 私 猫 犬 が 好き です 今日 天気 いい ね 本 を 読み ます 水 飲み
こんにちは ありがとう さようなら おはよう 学校 先生 学生 電車 駅 山 川 海 空 雨 雪 花 時間
コンピュータ ネットワーク データ 検索 モデル テキスト 言語 文章 単語 京都 大阪 富士山
""".split()

CHINESE = """
我们 今天 去 公园 散步 。 你好 谢谢 再见 中国 北京 上海 学生 老师 学校 书 水 山 河 海 天
猫 狗 鸟 鱼 树 花 时间 朋友 家 工作 电脑 网络 数据 搜索 模型 文本 语言 句子 词语 检索 向量
我 你 他 她 是 的 了 在 有 和 不 很 也 都 就 要 会 能 说 看 想 喜欢 吃 喝 读 写
""".split()

EMOJI = ['😀', '😂', '🎉', '🚀', '❤', '👍', '🌍', '🍕', '🐱', '🐶', '✨', '🔥', '🙏', '☕']

PUNCT = [',', '.', '!', '?', ';', ':', '-', '--', '(', ')', '"', "'", '...', '!!!', '/', '&', '%', '#', '@']

FULLWIDTH = ['ＡＢＣ', '１２３', 'ｆｕｌｌｗｉｄｔｈ']


def _western(rng: random.Random, words: list[str]) -> str:
    n = rng.randint(3, 14)
    parts = [rng.choice(words) for _ in range(n)]
    if rng.random() < 0.5:
        parts[0] = parts[0].capitalize()
    out = []
    for p in parts:
        out.append(p)
        if rng.random() < 0.12:
            out[-1] += rng.choice(PUNCT)
        if rng.random() < 0.05:
            out.append(rng.choice(EMOJI))
        if rng.random() < 0.05:
            out.append(str(rng.randint(0, 2025)))
    return ' '.join(out) + rng.choice(['.', '.', '?', '!', ''])


def _cjk(rng: random.Random, words: list[str]) -> str:
    n = rng.randint(3, 12)
    s = ''.join(rng.choice(words) for _ in range(n))
    if rng.random() < 0.2:
        s += rng.choice(EMOJI)
    return s + rng.choice(['。', '！', '？', ''])


def build_corpus(seed: int = 20240601, lines: int = 6000) -> list[str]:
    """Return ``lines`` training sentences, identical for a given seed."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(lines):
        r = rng.random()
        if r < 0.45:
            out.append(_western(rng, ENGLISH))
        elif r < 0.52:
            out.append(_western(rng, FRENCH))
        elif r < 0.59:
            out.append(_western(rng, GERMAN))
        elif r < 0.66:
            out.append(_western(rng, SPANISH))
        elif r < 0.80:
            out.append(_cjk(rng, JAPANESE))
        elif r < 0.94:
            out.append(_cjk(rng, CHINESE))
        else:
            out.append(' '.join(rng.choice(EMOJI + FULLWIDTH + ENGLISH) for _ in range(rng.randint(2, 6))))
    return out
