/**
 * English: the source of every key. Each area of the app keeps its strings in a file of its own
 * (same file name under every locale's folder); add an area here by importing and spreading it.
 */
import common from './common';
import invite from './invite';
import roomname from './roomname';

export const en = {
  ...common,
  ...invite,
  ...roomname,
};

export type MessageKey = keyof typeof en;
