import { classifyRules } from './rules.ts';
import { auctionAfter, deriveOfferContext, isOfferAnnouncement, isOnOffer, isSaleEvent, offerAt, settleVerdict } from './offer.ts';

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

describe('chat auctions in the offer context (issue 25)', () => {
  test.each([
    [false, 'bidding starts at 20', true],
    [false, 'B1 windbreaker, starting bid $25', true],
    [false, 'going once', true],
    [true, 'going twice', true],
    [true, 'sold to @ana.m3!', false],
    [true, 'Sold!', false],
    [true, 'next up A2 beanie $15', false],
    [true, 'thanks for the follows!', true],
    [false, 'thanks for the follows!', false],
  ])('running %j, the host saying %j leaves it running: %j', (before, text, after) => {
    expect(auctionAfter(before, text)).toBe(after);
  });

  test('the auction running is derived from the host\'s lines in order, newest first as ingest reads them', () => {
    const lines = [
      { ...host('sold to @amy'), rowId: 30 },
      { ...host('bidding starts at 20'), rowId: 20 },
      { ...host('A1 jacket'), rowId: 10 },
    ];
    expect(deriveOfferContext('generic', lines).auctionOpen).toBeUndefined();
    const running = deriveOfferContext('generic', [{ ...host('going once'), rowId: 40 }, ...lines]);
    expect(running).toMatchObject({ auctionOpen: true, auctionAtRow: 40 });
    expect(offerAt(running, 39)!.auctionOpen).toBe(false);
    expect(offerAt(running, 41)!.auctionOpen).toBe(true);
  });

  test('a bare amount is a buyer only while an auction runs, and never with nothing on offer', () => {
    const shop = deriveOfferContext('whatnot', []);
    expect(settleVerdict(classifyRules('25'), shop)).toMatchObject({ intent: 'other', ambiguous: true });
    expect(settleVerdict(classifyRules('25'), { ...shop, auctionOpen: true })).toMatchObject({ intent: 'purchase', bid: 25, confidence: 0.8, ambiguous: false });
    expect(settleVerdict(classifyRules('$35'), { auctionOpen: true })).toMatchObject({ intent: 'other' });
    // A size or a hashtag is no bid, auction or not.
    for (const text of ['M', '#14', 'me', '1']) expect(settleVerdict(classifyRules(text), { ...shop, auctionOpen: true }).intent).toBe('other');
  });
});
