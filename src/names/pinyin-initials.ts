/**
 * Pinyin initials of Chinese text (教育局 → jyj), with no table of our own: the Unicode CLDR pinyin collation that
 * ICU ships in Node (and every browser) orders hanzi by their pinyin, so a character's initial is the last of
 * these boundary characters (the first hanzi of each initial in that order) that it sorts at or after. Source:
 * CLDR's `zh-u-co-pinyin` collation (Unicode licence), as in Node's full ICU; no npm dependency.
 */
const COLLATOR = new Intl.Collator('zh-Hans-CN-u-co-pinyin');
const BOUNDARIES: readonly (readonly [string, string])[] = [
  ['a', '阿'],
  ['b', '八'],
  ['c', '嚓'],
  ['d', '哒'],
  ['e', '妸'],
  ['f', '发'],
  ['g', '旮'],
  ['h', '哈'],
  ['j', '讥'],
  ['k', '咔'],
  ['l', '垃'],
  ['m', '妈'],
  ['n', '拏'],
  ['o', '噢'],
  ['p', '妑'],
  ['q', '七'],
  ['r', '呥'],
  ['s', '仨'],
  ['t', '他'],
  ['w', '屲'],
  ['x', '夕'],
  ['y', '丫'],
  ['z', '帀'],
];

/**
 * Characters with more than one reading common in names: the collation gives one, people type either (重庆 cq,
 * 银行 yh, 长沙 cs). Every reading's initial counts.
 */
const OTHER_INITIALS: Readonly<Record<string, string>> = {
  重: 'c',
  长: 'c',
  行: 'h',
  乐: 'y',
  单: 's',
  朝: 'c',
  藏: 'z',
  厦: 'x',
  曾: 'z',
  解: 'x',
  会: 'k',
  都: 'd',
};

const HAN = /\p{Script=Han}/u;

/** The pinyin initial of one hanzi ('' for a character the collation does not place). */
export function hanziInitial(ch: string): string {
  let initial = '';
  for (const [letter, first] of BOUNDARIES) {
    if (COLLATOR.compare(ch, first) >= 0) initial = letter;
    else break;
  }
  return initial;
}

/**
 * Every initials spelling of `text` (lower case): hanzi become their initial, Latin letters and digits stay,
 * everything else is dropped. Polyphonic characters give more than one spelling (at most 8).
 */
export function pinyinInitials(text: string): string[] {
  let spellings = [''];
  for (const ch of text) {
    if (HAN.test(ch)) {
      const readings = [...new Set([hanziInitial(ch), OTHER_INITIALS[ch] ?? ''].filter((r) => r !== ''))];
      if (readings.length === 0) continue;
      spellings = spellings.flatMap((s) => readings.map((r) => s + r)).slice(0, 8);
    } else if (/[\p{L}\p{N}]/u.test(ch)) spellings = spellings.map((s) => s + ch.toLowerCase());
  }
  return spellings.filter((s) => s !== '');
}
