/**
 * The amount in Chinese capitals (大寫金額) that DingTalk stores in a MoneyField's extValue as `{"upper": …}`,
 * e.g. 2380.50 → 貳仟叁佰捌拾元伍角 (the traditional characters the fixtures show).
 */
const DIGITS = '零壹貳叁肆伍陸柒捌玖';
const UNITS = ['', '拾', '佰', '仟'];
const GROUPS = ['', '萬', '億', '萬億'];

function integerPart(yuan: number): string {
  const digits = String(yuan);
  let text = '';
  let pendingZero = false;
  for (let i = 0; i < digits.length; i += 1) {
    const digit = Number(digits[i]);
    const position = digits.length - 1 - i;
    if (digit === 0) pendingZero = text !== '';
    else {
      text += (pendingZero ? '零' : '') + DIGITS[digit] + UNITS[position % 4];
      pendingZero = false;
    }
    // A group marker (萬, 億) closes every four digits that hold something.
    const group = Math.floor(position / 4);
    if (position % 4 === 0 && group > 0 && /[1-9]/.test(digits.slice(Math.max(0, i - 3), i + 1))) text += GROUPS[group];
  }
  return text;
}

export function moneyUpper(amount: number): string {
  if (!Number.isFinite(amount) || amount < 0 || amount >= 1e16) return '';
  const cents = Math.round(amount * 100);
  const yuan = Math.floor(cents / 100);
  const jiao = Math.floor(cents / 10) % 10;
  const fen = cents % 10;
  const integer = yuan > 0 ? `${integerPart(yuan)}元` : '';
  if (jiao === 0 && fen === 0) return `${integer || '零元'}整`;
  const jiaoText = jiao > 0 ? `${DIGITS[jiao]}角` : integer ? '零' : '';
  return `${integer}${jiaoText}${fen > 0 ? `${DIGITS[fen]}分` : ''}`;
}
