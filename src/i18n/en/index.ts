/**
 * English: the source of every key. Each area of the app keeps its strings in a file of its own
 * (same file name under every locale's folder); add an area here by importing and spreading it.
 */
import common from './common';
import app from './app';

export const en = {
  ...common,
  ...app,
};

export type MessageKey = keyof typeof en;
