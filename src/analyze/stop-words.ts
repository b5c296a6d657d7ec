/**
 * Stop words of the english analyser from version 3 (src/analyze/english-v3.ts): the words
 * wink-nlp's English model (wink-eng-lite-web-model) flags `isStopWord`, as the version 1–2
 * analyser drops them through `its.stopWordFlag`, lower-case. Listed here so that analysis
 * needs no wink lexicon look-up; extracted once by running wink over every distinct word of
 * the dev corpora and wink-nlp-utils' stop list (contraction pieces such as n't are handled by
 * the tokeniser instead).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'about', 'above', 'abt', 'across', 'after', 'afterwards', 'again', 'against', 'all', 'almost',
  'alone', 'along', 'already', 'also', 'although', 'always', 'am', 'among', 'amongst', 'amount', 'an', 'and',
  'another', 'any', 'anything', 'anywhere', 'are', 'around', 'as', 'at', 'back', 'be', 'became', 'because',
  'become', 'becomes', 'becoming', 'been', 'before', 'behind', 'being', 'below', 'beside', 'besides',
  'between', 'beyond', 'both', 'bottom', 'but', 'by', 'ca', 'call', 'can', 'cd', 'could', 'da', 'did', 'dis',
  'do', 'does', 'doing', 'done', 'down', 'due', 'during', 'each', 'eight', 'either', 'eleven', 'else',
  'elsewhere', 'empty', 'enough', 'etc', 'even', 'ever', 'every', 'everyone', 'except', 'few', 'fifteen',
  'fifty', 'first', 'five', 'for', 'former', 'formerly', 'forty', 'four', 'from', 'front', 'full', 'further',
  'get', 'give', 'go', 'had', 'has', 'have', 'he', 'hence', 'her', 'here', 'hereafter', 'herein', 'hers',
  'herself', 'him', 'himself', 'his', 'how', 'however', 'hundred', 'i', 'ie', 'if', 'in', 'inc', 'indeed',
  'into', 'is', 'it', 'its', 'itself', 'just', 'keep', 'last', 'latter', 'least', 'less', 'made', 'make',
  'many', 'may', 'me', 'meanwhile', 'might', 'mine', 'more', 'moreover', 'most', 'mostly', 'move', 'much',
  'must', 'my', 'myself', 'name', 'namely', 'neither', 'never', 'nevertheless', 'next', 'nine', 'no', 'none',
  'nor', 'not', 'nothing', 'now', 'nowhere', 'of', 'off', 'often', 'on', 'once', 'one', 'only', 'onto', 'or',
  'other', 'otherwise', 'our', 'ours', 'ourselves', 'out', 'over', 'own', 'part', 'per', 'perhaps', 'please',
  'pls', 'put', 'quite', 'rather', 're', 'really', 'regarding', 'same', 'say', 'see', 'seem', 'seemed',
  'seems', 'serious', 'seven', 'several', 'she', 'should', 'show', 'side', 'since', 'six', 'sixty', 'so',
  'some', 'somehow', 'someone', 'something', 'sometimes', 'somewhere', 'still', 'such', 'take', 'ten',
  'than', 'that', 'the', 'their', 'them', 'themselves', 'then', 'there', 'thereafter', 'thereby',
  'therefore', 'therein', 'these', 'they', 'third', 'this', 'those', 'though', 'three', 'through',
  'throughout', 'thus', 'to', 'together', 'too', 'top', 'toward', 'towards', 'twelve', 'twenty', 'two',
  'under', 'unless', 'until', 'up', 'upon', 'us', 'used', 'using', 'various', 'very', 'via', 'was', 'we',
  'well', 'were', 'what', 'whatever', 'when', 'whenever', 'where', 'whereas', 'whereby', 'wherein',
  'wherever', 'whether', 'which', 'while', 'who', 'whole', 'whom', 'whose', 'why', 'will', 'with', 'within',
  'without', 'would', 'yet', 'you', 'your', 'yours', 'yourself', 'yourselves',
]);
