import { connect, type Socket } from 'node:net';

/** A client that sent a request's headers and the start of its body, and then nothing. */
export interface HalfSentRequest {
  readonly socket: Socket;
  /** Everything the gateway sent back, once it has hung up. */
  readonly answer: Promise<string>;
}

/**
 * Sends the headers of a token request and part of its body, and no more: the gateway has taken
 * the request in and owes it an answer. The token path reads the body before answering (an API
 * path without a token is refused at once, body or not).
 */
export async function sendHalfARequest(baseUrl: string): Promise<HalfSentRequest> {
  const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let got = '';
  socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
  // A reset instead of a close still ends the request: 'close' follows 'error'.
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(got)));
  socket.write('POST /oauth/v4/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 200\r\n\r\ngrant_type=');
  return { socket, answer };
}
