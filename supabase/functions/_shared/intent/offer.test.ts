import { classifyRules } from './rules.ts';
import { deriveOfferContext, isOfferAnnouncement, isOnOffer, isSaleEvent, offerAt, settleVerdict } from './offer.ts';

const host = (text: string) => ({ text, author: 'hannah', badges: ['owner'] });
const viewer = (text: string) => ({ text, author: 'bob', badges: [] as string[] });

describe('offer context', () => {
  test.each([
    'Lot 14 is the denim jacket, $25',
    'next up A2, comment sold to claim',
    'item 7 starting at 10',
    'Carhartt chore jacket, 80 dollars',
    'B4 is up next',
  ])('host line %j announces an item', (text) => {
    expect(isOfferAnnouncement(text)).toBe(true);
  });

  test.each(['thanks for the follow!', 'gg', 'buy hunters potion first', 'give me a minute', 'we are at 10k followers', 'lot of people here tonight'])(
    'host line %j offers nothing',
    (text) => {
      expect(isOfferAnnouncement(text)).toBe(false);
    },
  );

  test('a live-shopping platform, a host announcement or a sale event opens an offer; chatter does not', () => {
    expect(isOnOffer(deriveOfferContext('whatnot', []))).toBe(true);
    expect(isOnOffer(deriveOfferContext('twitch', [viewer('Lot 5 $20 sold'), host('gg chat')]))).toBe(false);
    expect(isOnOffer(deriveOfferContext('twitch', [host('Lot 5, the signed jersey, $20')]))).toBe(true);
    expect(isOnOffer(deriveOfferContext('youtube', [viewer('Lot 5, the signed jersey, $20')], { sellerNames: ['BOB'] }))).toBe(true);
    expect(isOnOffer(deriveOfferContext('kick', [{ ...viewer('ann won the auction for lot 3'), kind: 'system' }]))).toBe(true);
    expect(isSaleEvent('text', 'I bought one last week')).toBe(false);
    expect(isOnOffer({ openLots: ['A2'] })).toBe(true);
    expect(isOnOffer(undefined)).toBe(false);
  });

  test.each(['GIMME A MINUTE FAM', 'give me an account so we can play', "BUY HUNTER'S POTION", 'me please', 'sold', "I'll take it"])(
    'with nothing on offer %j is stored as other',
    (text) => {
      const settled = settleVerdict(classifyRules(text), deriveOfferContext('twitch', []));
      expect(settled.intent).toBe('other');
      expect(settled.quantity ?? settled.item).toBeUndefined();
    },
  );

  test('on offer, a clear claim stays a purchase; a low-confidence lean is stored as other, flagged ambiguous', () => {
    const offer = deriveOfferContext('whatnot', []);
    expect(settleVerdict(classifyRules('sold 2 size M'), offer)).toMatchObject({ intent: 'purchase', quantity: 2, size: 'M' });
    for (const text of ['M', 'l', 's', '#14', 'me', 'mine?', '#TEAMDREAM']) {
      const settled = settleVerdict(classifyRules(text), offer);
      expect(settled.intent).toBe('other');
    }
    expect(settleVerdict(classifyRules('M'), offer).ambiguous).toBe(true);
    expect(settleVerdict(classifyRules('what size?'), offer)).toMatchObject({ intent: 'question' });
  });

  test('a message stored before the host\'s first announcement saw nothing on offer; one after it did', () => {
    const offer = deriveOfferContext('generic', [{ ...host('Lot 3, the poster, $30'), rowId: 10 }, { ...host('Lot 4, $12'), rowId: 20 }]);
    expect(offer.announcedAtRow).toBe(10);
    expect(isOnOffer(offerAt(offer, 9))).toBe(false);
    expect(isOnOffer(offerAt(offer, 11))).toBe(true);
    // Other evidence does not depend on when the message came.
    expect(isOnOffer(offerAt({ ...offer, shoppingPlatform: true }, 1))).toBe(true);
    expect(isOnOffer(offerAt({ ...offer, openLots: ['A1'] }, 1))).toBe(true);
  });
});
