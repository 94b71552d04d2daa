/** Mobile numbers as typed by Hong Kong users, and the forms Find User asks DingTalk for. */
import { mobileCandidates, parseMobile } from '../../contacts/mobile';

describe('mobileCandidates', () => {
  test.each([
    // Hong Kong: DingTalk's "+xx-xxxxxx" form first, the bare local number second.
    ['+852 5555 0101', ['+852-55550101', '55550101']],
    ['+852-5555-0101', ['+852-55550101', '55550101']],
    ['+85255550101', ['+852-55550101', '55550101']],
    ['(+852) 5555 0101', ['+852-55550101', '55550101']],
    ['(852) 5555-0101', ['+852-55550101', '55550101']],
    ['00852 5555 0101', ['+852-55550101', '55550101']],
    ['5555 0101', ['+852-55550101', '55550101']],
    ['4612 3456', ['+852-46123456', '46123456']],
    // Mainland China: bare digits first, "+86-" second.
    ['+86 138 0013 8000', ['13800138000', '+86-13800138000']],
    ['+8613800138000', ['13800138000', '+86-13800138000']],
    ['138-0013-8000', ['13800138000', '+86-13800138000']],
    // Macau, Taiwan (trunk 0 dropped), elsewhere.
    ['+853 6612 3456', ['+853-66123456', '66123456']],
    ['+886 0912 345 678', ['+886-912345678', '912345678']],
    ['+1 (415) 555-0100', ['+1-4155550100', '4155550100']],
    // Full-width digits, as a Chinese input method types them, are the same number.
    ['＋８５２ ５５５５ ０１０１', ['+852-55550101', '55550101']],
    ['５５５５０１０１', ['+852-55550101', '55550101']],
    ['（８５２）５５５５－０１０１', ['+852-55550101', '55550101']],
    ['１３８００１３８０００', ['13800138000', '+86-13800138000']],
    // A local number of unknown country is passed on as digits.
    ['2345 6789 0', ['234567890']],
  ])('%s -> %j', (input, expected) => {
    expect(mobileCandidates(input)).toEqual(expected);
  });

  test.each(['', '   ', 'call me', 'abc123456', '+', '+999 1234', '12345', '+852 1234567890123456'])('%j is not a phone number', (input) => {
    expect(mobileCandidates(input)).toBeUndefined();
  });

  test('parseMobile splits country code and national number', () => {
    expect(parseMobile('+852 5555 0101')).toEqual({ countryCode: '852', national: '55550101' });
    expect(parseMobile('55550101')).toEqual({ countryCode: '852', national: '55550101' });
    expect(parseMobile('234567890')).toEqual({ national: '234567890' });
  });
});
