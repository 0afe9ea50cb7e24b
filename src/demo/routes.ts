/** Express routes of the built-in demo: the show page at /demo/live and its chat stream. */
import { Router } from 'express';
import { renderChatPage } from './page.ts';
import { ChatRoom } from './room.ts';
import { DemoShow } from './show.ts';

export const DEMO_PATH = '/demo/live';

export interface Demo {
  router: Router;
  room: ChatRoom;
  close(): void;
}

export function createDemo(options: { seed?: number; rate?: number; lotMs?: number } = {}): Demo {
  const room = new ChatRoom('demo', { history: 30 });
  const show = new DemoShow(room, options);
  const page = renderChatPage({
    title: 'Vintage Denim & Sneakers Drop (Earshot demo)',
    streamUrl: '/demo/stream',
    mode: 'virtual',
    window: 25,
  });
  const router = Router();
  router.get(DEMO_PATH, (_req, res) => {
    res.set('cache-control', 'no-store').type('html').send(page);
  });
  router.get('/demo/stream', (req, res) => room.serve(req, res));
  return {
    router,
    room,
    close() {
      show.stop();
      room.close();
    },
  };
}
