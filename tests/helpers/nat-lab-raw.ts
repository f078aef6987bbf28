/**
 * The raw WebRTC anchor of the NAT lab: tests/bench/nat-raw-page.html (one RTCPeerConnection, one
 * data channel, no app code) served from inet, opened in a Chromium in each LAN. The two pages signal
 * through the lab's signaling node (startLabNode) as an app would, over a WebSocket each, on a topic
 * of their own; this process only starts them and reads what happened.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { LAB_ADDRESSES, LAB_PORTS, type LabHost, type NatLab } from './nat-lab.js';
import type { LabNode } from './nat-lab-node.js';

const RAW_PAGE = fileURLToPath(new URL('../bench/nat-raw-page.html', import.meta.url));

export interface RawState {
  ice: string;
  connection: string;
  /** Epoch milliseconds. */
  at: number;
}
export interface RawMessage {
  data: string;
  at: number;
}
export interface RawCandidate {
  type: 'host' | 'srflx' | 'prflx' | 'relay';
  address: string;
  port: number;
  protocol: string;
}
export interface SelectedPair {
  local: RawCandidate;
  remote: RawCandidate;
}

/** What the page exposes as window.parleyRaw (see the fixture). */
interface RawApi {
  startedAt: number;
  /** Epoch ms of the first time of each step (pc-created, offer-sent, offer-received, answer-sent, answer-received, srflx-gathered, ice-connected, dc-open, first-message…). */
  marks: Record<string, number>;
  states: RawState[];
  received: RawMessage[];
  signalled: string[];
  errors: string[];
  connect(url: string, topic: string): Promise<void>;
  warmUp(): void;
  start(iceServers: RTCIceServer[], initiator: boolean): Promise<void>;
  send(text: string): boolean;
  selectedPair(): Promise<SelectedPair | null>;
  candidates(): Promise<{ local: RawCandidate[]; remote: RawCandidate[] }>;
}
/** Page functions are sent as source: each one names the page's API itself, through this type. */
type RawWindow = { parleyRaw: RawApi };

export interface RawSide {
  readonly page: Page;
  states(): Promise<RawState[]>;
  received(): Promise<RawMessage[]>;
  /** Sends on the data channel; false when it is not open. */
  send(text: string): Promise<boolean>;
  selectedPair(): Promise<SelectedPair | null>;
  /** The `candidate` lines of the ICE candidates this side signalled, in order. */
  signalledCandidates(): Promise<string[]>;
  /** Epoch ms of each step this side has reached (see the page). */
  marks(): Promise<Record<string, number>>;
  /** Every candidate getStats knows, local and remote (addresses of mDNS and prflx candidates read ''). */
  candidates(): Promise<{ local: RawCandidate[]; remote: RawCandidate[] }>;
  /**
   * Waits for a state change at or after `since` (epoch ms) whose iceConnectionState or connectionState
   * is among `states`; throws after timeoutMs. (Chromium reports a failed ICE as iceConnectionState
   * 'disconnected' with connectionState 'failed'.)
   */
  waitForState(states: readonly string[], timeoutMs: number, since?: number): Promise<RawState>;
  /** Waits for a data-channel message with this text received at or after `since`; throws after timeoutMs. */
  waitForMessage(text: string, timeoutMs: number, since?: number): Promise<RawMessage>;
}

export interface RawPair {
  /** The initiator (lan-a by default): opens the data channel and sends "hello" once it is open. */
  readonly a: RawSide;
  /** The answerer: creates its connection when a's offer arrives. */
  readonly b: RawSide;
  /** The node topic both pages signal on. */
  readonly topic: string;
  /** Readies b, then creates a's connection and sends its offer; returns once the offer is sent. */
  start(iceServers: RTCIceServer[]): Promise<void>;
  close(): Promise<void>;
}

export interface RawPairOptions {
  /** Default lan-a and lan-b. */
  readonly hosts?: readonly [LabHost, LabHost];
  /** Default a fresh random one. */
  readonly topic?: string;
}

export interface RawJoin {
  /** From RTCPeerConnection created on a to the first data-channel message received on b. */
  ms: number;
  /** Each side's marks, ms after a's RTCPeerConnection was created, named "a offer-sent", "b offer-received"… */
  phases: Record<string, number>;
  /** The pair a selected (b's mirrors it). */
  a: SelectedPair;
  b: SelectedPair;
}

/** Per lab: the page server and one Chromium per host, made on first use and ended by lab.dispose(). */
const labState = new WeakMap<NatLab, { pageUrl?: Promise<string>; browsers: Map<LabHost, Promise<Browser>> }>();
const stateOf = (lab: NatLab): { pageUrl?: Promise<string>; browsers: Map<LabHost, Promise<Browser>> } => {
  let state = labState.get(lab);
  if (state === undefined) labState.set(lab, (state = { browsers: new Map() }));
  return state;
};

const SERVER = `
const [file, host, port] = process.argv.slice(1);
require('node:http').createServer((request, response) => {
  if (request.url !== '/') return response.writeHead(404).end();
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(require('node:fs').readFileSync(file));
}).listen(Number(port), host, () => console.log('listening'));
`;

/** Serves the raw page on http://203.0.113.1:8000/ in inet (once per lab); returns its URL. */
export function serveRawPage(lab: NatLab): Promise<string> {
  const state = stateOf(lab);
  state.pageUrl ??= (async () => {
    const server = lab.spawn('inet', process.execPath, ['-e', SERVER, RAW_PAGE, LAB_ADDRESSES.node, String(LAB_PORTS.page)]);
    await server.waitForOutput(/listening/);
    return `http://${LAB_ADDRESSES.node}:${LAB_PORTS.page}/`;
  })();
  return state.pageUrl;
}

/** The lab's Chromium in `host`: one per host per lab, launched on first use, closed by lab.dispose(). */
export function labChromium(lab: NatLab, host: LabHost): Promise<Browser> {
  const { browsers } = stateOf(lab);
  let browser = browsers.get(host);
  if (browser === undefined) browsers.set(host, (browser = lab.launchChromium(host)));
  return browser;
}

/** The node's WebSocket endpoint as the lab's pages reach it. */
export const labSignalUrl = (node: LabNode): string => `${node.url.replace(/^http/, 'ws')}/signal`;

function rawSide(page: Page): RawSide {
  return {
    page,
    signalledCandidates: () => page.evaluate(() => (window as unknown as RawWindow).parleyRaw.signalled),
    marks: () => page.evaluate(() => (window as unknown as RawWindow).parleyRaw.marks),
    states: () => page.evaluate(() => (window as unknown as RawWindow).parleyRaw.states),
    received: () => page.evaluate(() => (window as unknown as RawWindow).parleyRaw.received),
    send: (text) => page.evaluate((message) => (window as unknown as RawWindow).parleyRaw.send(message), text),
    selectedPair: () => page.evaluate(() => (window as unknown as RawWindow).parleyRaw.selectedPair()),
    candidates: () => page.evaluate(() => (window as unknown as RawWindow).parleyRaw.candidates()),
    async waitForState(states, timeoutMs, since = 0) {
      const found = await page.waitForFunction(
        ([wanted, after]) => (window as unknown as RawWindow).parleyRaw.states.find((state) => state.at >= after && (wanted.includes(state.ice) || wanted.includes(state.connection))) ?? false,
        [states, since] as const,
        { timeout: timeoutMs, polling: 50 },
      );
      return (await found.jsonValue()) as RawState;
    },
    async waitForMessage(text, timeoutMs, since = 0) {
      const found = await page.waitForFunction(
        ([wanted, after]) => (window as unknown as RawWindow).parleyRaw.received.find((message) => message.data === wanted && message.at >= after) ?? false,
        [text, since] as const,
        { timeout: timeoutMs, polling: 50 },
      );
      return (await found.jsonValue()) as RawMessage;
    },
  };
}

/**
 * Opens the raw page in a fresh context of a Chromium in each of two hosts, each page with its
 * WebSocket to `node` open and subscribed to one topic (a ping answered after the subscribe) and its
 * WebRTC set up (one RTCPeerConnection made and closed): the pair is ready to signal before start(),
 * as the pages of an app already open are.
 */
export async function openRawPair(lab: NatLab, node: LabNode, options: RawPairOptions = {}): Promise<RawPair> {
  const { hosts = ['lan-a', 'lan-b'], topic = `nat-lab-raw-${randomUUID()}` } = options;
  const url = await serveRawPage(lab);
  const contexts = await Promise.all(hosts.map(async (host) => (await labChromium(lab, host)).newContext()));
  const close = async (): Promise<void> => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  };
  try {
    const [pageA, pageB] = await Promise.all(contexts.map((context) => context.newPage())) as [Page, Page];
    await Promise.all([pageA.goto(url), pageB.goto(url)]);
    const signalUrl = labSignalUrl(node);
    await Promise.all([pageA, pageB].map(async (page) => {
      await page.evaluate(([to, name]) => (window as unknown as RawWindow).parleyRaw.connect(to, name), [signalUrl, topic] as const);
      await page.evaluate(() => (window as unknown as RawWindow).parleyRaw.warmUp());
    }));
    return {
      a: rawSide(pageA),
      b: rawSide(pageB),
      topic,
      async start(iceServers) {
        await pageB.evaluate((servers) => (window as unknown as RawWindow).parleyRaw.start(servers, false), iceServers);
        await pageA.evaluate((servers) => (window as unknown as RawWindow).parleyRaw.start(servers, true), iceServers);
      },
      close,
    };
  } catch (error: unknown) {
    await close();
    throw error;
  }
}

/**
 * The raw anchor's join time across the lab, its signals through `node`: RTCPeerConnection created
 * on lan-a → first data-channel message received on lan-b (both pages' sockets open and subscribed
 * before), with each side's marks and the candidate pair each side selected. Throws if they do not
 * connect within timeoutMs.
 */
export async function measureRawJoin(lab: NatLab, node: LabNode, iceServers: RTCIceServer[], timeoutMs = 20_000): Promise<RawJoin> {
  const pair = await openRawPair(lab, node);
  try {
    await pair.start(iceServers);
    const first = await pair.b.waitForMessage('hello', timeoutMs);
    const startedAt = await pair.a.page.evaluate(() => (window as unknown as RawWindow).parleyRaw.startedAt);
    const [a, b] = await Promise.all([pair.a.selectedPair(), pair.b.selectedPair()]);
    if (a === null || b === null) throw new Error('connected without a selected candidate pair');
    const phases: Record<string, number> = {};
    for (const side of ['a', 'b'] as const) {
      for (const [name, at] of Object.entries(await pair[side].marks())) phases[`${side} ${name}`] = at - startedAt;
    }
    return { ms: first.at - startedAt, phases, a, b };
  } finally {
    await pair.close();
  }
}
