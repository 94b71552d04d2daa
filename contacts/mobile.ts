/**
 * Mobile numbers in the forms DingTalk stores them.
 *
 * DingTalk's user-information-creation doc asks for "+xx-xxxxxx" for international, Hong Kong, Macau and Taiwan
 * numbers and plain digits for mainland China numbers; its common-errors page adds that an organisation
 * registered outside the mainland stores mainland numbers as "+86-xxxxxx". Which form an organisation's own
 * local numbers take is not documented, so a lookup tries the likely form first and the other one second (both
 * are free contacts calls). query-users-by-phone-number itself only shows mainland examples.
 */

/** Dialling codes for the region first; the longest match wins for numbers typed without separators. */
const COUNTRY_CODES = ['852', '853', '886', '971', '86', '65', '60', '61', '64', '81', '82', '66', '63', '62', '84', '91', '44', '49', '33', '1'];

export interface ParsedMobile {
  /** Without the plus; undefined for a local number of unknown country. */
  countryCode?: string;
  /** The digits after the country code. */
  national: string;
}

const digitsOf = (text: string) => text.replace(/\D/g, '');

/**
 * Reads "+852 5555 0101", "(852) 5555-0101", "0085255550101", "55550101" or "138 0013 8000"; undefined if not a number.
 * Full-width characters (＋８５２ ５５５５ ０１０１, typed with a Chinese input method) are read as the same number:
 * NFKC maps each to its ASCII twin, so the digits and their meaning stay the same.
 */
export function parseMobile(input: string): ParsedMobile | undefined {
  const text = input.normalize('NFKC').trim();
  if (!text || !/^[+\d\s\-().]+$/.test(text)) return undefined;
  const bracketed = /^\((\d{1,4})\)/.exec(text)?.[1];
  const international = /^(\+|00|\(\+)/.test(text) || (bracketed !== undefined && COUNTRY_CODES.includes(bracketed));
  let parsed: ParsedMobile | undefined;
  if (international) {
    const body = text.replace(/^\(?(\+|00)/, '');
    const separated = /^\(?(\d{1,4})(?:\)|[\s\-.])+(.+)$/.exec(body);
    const countryCode = separated ? separated[1]! : COUNTRY_CODES.find((code) => digitsOf(body).startsWith(code));
    if (!countryCode) return undefined;
    const rest = separated ? digitsOf(separated[2]!) : digitsOf(body).slice(countryCode.length);
    // A trunk 0 typed after the country code ("+886 0912 …") is not dialled internationally.
    parsed = { countryCode, national: rest.replace(/^0/, '') };
  } else {
    const digits = digitsOf(text);
    if (/^[4-9]\d{7}$/.test(digits)) parsed = { countryCode: '852', national: digits };
    else if (/^1\d{10}$/.test(digits)) parsed = { countryCode: '86', national: digits };
    else parsed = { national: digits };
  }
  return /^\d{6,14}$/.test(parsed.national) ? parsed : undefined;
}

/** The forms to look a number up by, most likely first; undefined when `input` is not a phone number. */
export function mobileCandidates(input: string): string[] | undefined {
  const parsed = parseMobile(input);
  if (!parsed) return undefined;
  const { countryCode, national } = parsed;
  if (!countryCode) return [national];
  if (countryCode === '86') return [national, `+86-${national}`];
  return [`+${countryCode}-${national}`, national];
}
