/**
 * The built-in simulated live-shopping show: a host sells lots one after another; viewers chat, ask
 * questions, claim items ("sold 2 size M"), post look-alikes ("is that sold?") and burst when a new
 * lot appears. A few messages a second on average. Deterministic for a given seed.
 *
 * The host (with Whatnot's host badge) announces each lot with its code and price the varied ways real
 * sellers write them ("A2 ... starting at 120", "Lot B7: ... 80 bucks", "... 30$, comment sold") and
 * closes it ("A1 goes to @amy, next up A2 ...", "Sold to @amy!", "next"), so the claims ledger has a
 * real show to read.
 */
import { prng } from '../../supabase/functions/_shared/intent/corpus.ts';
import type { ChatRoom } from './room.ts';

const VIEWERS = [
  'denimdaisy', 'sneakerhead_mo', 'vintage.val', 'kicksqueen', 'thriftking88', 'rosie_resells', 'bigmike',
  'lunalux', 'jordan_j', 'closetcurator', 'priya.p', 'tom_in_tx', 'sam_sells', 'mia_m', 'carlos.c', 'ava_b',
  'noah_n', 'zoe.z', 'liam_l', 'emma.e', 'oliver_o', 'sofia_s', 'ethan_e', 'isla_i', 'kai_k', 'nora_n',
];

const LOTS = [
  { code: 'A1', name: "Levi's 501 vintage jeans", sizes: ['28', '30', '32'], price: 45 },
  { code: 'A2', name: 'Nike Air Max 90', sizes: ['9', '10', '11'], price: 120 },
  { code: 'B7', name: 'Carhartt chore jacket', sizes: ['S', 'M', 'L', 'XL'], price: 80 },
  { code: 'C3', name: 'Band tee bundle (3)', sizes: ['M', 'L'], price: 30 },
  { code: 'D5', name: 'Patagonia fleece', sizes: ['S', 'M', 'L'], price: 65 },
  { code: 'AA10', name: 'Y2K mini bag', sizes: ['one size'], price: 25 },
];

const CHATTER = [
  'love this!!', '🔥🔥🔥', 'hi from Texas 👋', 'first time here', 'that color tho 😍', 'great show tonight',
  'lol', 'omg yes', 'can you show the back?', 'my fav seller', 'the vibes 🙌', 'back again', 'so cute',
  'wait what did I miss', 'she said sold lol', 'I sold mine last year', 'not mine but pretty', 'mine came yesterday, love it',
];

const QUESTIONS = [
  'what size is that?', 'shipping to Canada?', 'how much?', 'do you take returns?', 'is that sold?', 'sold out?',
  'what are the measurements?', 'when do you ship?', 'is it true to size?', 'any stains?', 'do you combine shipping?',
  'how long does shipping take?', 'what is the return policy?',
];

type DemoLot = (typeof LOTS)[number];

/**
 * The demo's host. Its messages carry Whatnot's "Host" badge (rendered on the demo page, read by the
 * Whatnot adapter), so the ledger knows the host with no seller named, as on a real Whatnot show.
 */
export const DEMO_HOST = 'host_hannah';

function claimFor(lot: DemoLot, pick: <T>(xs: readonly T[]) => T, rand: () => number): string {
  const size = pick(lot.sizes);
  const qty = 1 + Math.floor(rand() * 3);
  const forms = [
    `sold ${qty} size ${size}`,
    `SOLD ${lot.code} sz ${size}`,
    `mine #${lot.code}`,
    `ill take it`,
    `I'll take one in size ${size}`,
    `dibs on ${lot.code}`,
    `soooold size ${size}`,
    `claim ${lot.code} size ${size}`,
    `me please! size ${size}`,
    `sold`,
    `add me ${qty}x`,
    `${lot.code} for me`,
    `waitlist me`,
    `backup on ${lot.code} pls`,
  ];
  return pick(forms);
}

/** The host puts a lot up: code, title and price, written a different way each time. */
function announcement(lot: DemoLot, pick: <T>(xs: readonly T[]) => T): string {
  return pick([
    `Next up ${lot.code}: ${lot.name}, $${lot.price}! Say sold with your size`,
    `${lot.code} ${lot.name} starting at ${lot.price}`,
    `Lot ${lot.code}: ${lot.name}, ${lot.price} bucks`,
    `Up next ${lot.code} - ${lot.name}, ${lot.price} dollars`,
    `${lot.code} is the ${lot.name}, ${lot.price}$, comment sold to claim`,
  ]);
}

export interface DemoShowOptions {
  seed?: number;
  /** Average messages per second outside bursts. */
  rate?: number;
  /** How long each lot is up before the host moves on. */
  lotMs?: number;
  /** The show's clock (tests step the script with their own). */
  now?: () => number;
}

/** Drives a ChatRoom with the show's script while someone watches. */
export class DemoShow {
  private readonly room: ChatRoom;
  private readonly rand: () => number;
  private readonly rate: number;
  private timer: NodeJS.Timeout | null = null;
  private lotIndex = 0;
  private lotStartedAt = 0;
  private burstLeft = 0;
  private readonly lotMs: number;
  private readonly now: () => number;
  /** The first viewer who claimed the lot on screen (the host hands it to them when moving on). */
  private firstClaimer: string | null = null;

  constructor(room: ChatRoom, options: DemoShowOptions = {}) {
    this.room = room;
    this.rand = prng(options.seed ?? 7);
    this.rate = options.rate ?? 3;
    this.lotMs = options.lotMs ?? 40_000;
    this.now = options.now ?? Date.now;
    room.onActive = (active) => (active ? this.start() : this.stop());
  }

  private pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.rand() * xs.length)]!;

  get currentLot(): (typeof LOTS)[number] {
    return LOTS[this.lotIndex % LOTS.length]!;
  }

  start(): void {
    if (this.timer) return;
    if (this.room.size === 0) this.seedHistory();
    this.lotStartedAt = this.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private seedHistory(): void {
    const opening = [
      {
        author: DEMO_HOST,
        text: `Welcome in! Tonight: vintage denim & sneakers. First up ${LOTS[0]!.code}: ${LOTS[0]!.name}, starting at ${LOTS[0]!.price}`,
        badges: ['host'],
      },
      ...Array.from({ length: 8 }, () => this.nextMessage()),
    ];
    this.room.post(opening);
  }

  private schedule(): void {
    const bursting = this.burstLeft > 0;
    const mean = bursting ? 1000 / (this.rate * 5) : 1000 / this.rate;
    const delay = Math.max(20, -Math.log(1 - this.rand()) * mean);
    this.timer = setTimeout(() => {
      this.tick();
      if (this.timer) this.schedule();
    }, delay);
    this.timer.unref();
  }

  /** One step of the script: the next message, or the host moving on. The timer calls it; tests step it. */
  tick(): void {
    if (this.now() - this.lotStartedAt > this.lotMs) {
      this.moveOn();
      return;
    }
    if (this.burstLeft > 0) this.burstLeft--;
    this.room.post([this.nextMessage()]);
  }

  /** The host closes the lot on screen (to its first claimer, if any) and puts up the next one. */
  private moveOn(): void {
    const done = this.currentLot;
    const winner = this.firstClaimer;
    this.lotIndex++;
    this.lotStartedAt = this.now();
    this.burstLeft = 6 + Math.floor(this.rand() * 10);
    this.firstClaimer = null;
    const next = this.currentLot;
    const up = announcement(next, this.pick);
    const host = (text: string) => ({ author: DEMO_HOST, text, badges: ['host'] });
    const style = Math.floor(this.rand() * 3);
    if (winner && style === 0) {
      // Two things in one message: the close and the next lot.
      this.room.post([host(`${done.code} goes to @${winner}, ${up}`)]);
    } else if (winner) {
      this.room.post([host(style === 1 ? `Sold to @${winner}! 🎉` : `congrats @${winner} on the ${done.name}`), host(up)]);
    } else {
      this.room.post([host('no takers, next'), host(up)]);
    }
  }

  private nextMessage(): { author: string; text: string } {
    const r = this.rand();
    const author = this.pick(VIEWERS);
    const claimShare = this.burstLeft > 0 ? 0.6 : 0.18;
    if (r < claimShare) {
      const text = claimFor(this.currentLot, this.pick, this.rand);
      if (this.firstClaimer === null && !/waitlist|backup/.test(text)) this.firstClaimer = author;
      return { author, text };
    }
    if (r < claimShare + 0.22) return { author, text: this.pick(QUESTIONS) };
    return { author, text: this.pick(CHATTER) };
  }
}
