/**
 * The subset of the `smpp` package (0.5.1, CommonJS, no types of its own) that our session wrapper
 * uses. Only `src/network/smpp/pdu.ts` and `session.ts` import it; nothing here leaves the folder.
 * Shapes read from node_modules/smpp/lib/{smpp,pdu,defs}.js as installed.
 */
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  import { Server as NetServer, type Socket } from 'node:net';
  import type { ConnectionOptions } from 'node:tls';

  namespace smpp {
    /** A decoded or to-be-encoded PDU: header fields plus one property per body field and TLV. */
    class PDU {
      constructor(command: string, options?: Record<string, unknown>);
      command: string;
      command_length: number;
      command_id: number;
      command_status: number;
      sequence_number: number;
      /** Body fields and TLVs by name (`short_message`, `receipted_message_id`, …); numeric keys for unknown TLVs. */
      [field: string]: unknown;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      toBuffer(): Buffer;
      static fromBuffer(buffer: Buffer): PDU | false;
      static maxLength: number;
    }

    /**
     * One SMPP connection. Emits `pdu` (every decoded PDU), `connect`, `close`, `error` (socket
     * errors and PDU parse failures — after a parse failure the session stops reading for good).
     */
    class Session extends EventEmitter {
      socket: Socket;
      /** Assigns `sequence_number` when it is 0; returns false (and never calls back) when the socket is not writable. */
      send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
      pause(): void;
      resume(): void;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    interface FieldFilter {
      encode(this: PDU, value: unknown): unknown;
      decode(this: PDU, value: unknown, skipUdh?: boolean): unknown;
    }

    interface FieldDef {
      type: unknown;
      filter?: FieldFilter;
      default?: unknown;
    }

    interface CommandDef {
      id: number;
      command: string;
      params?: Record<string, FieldDef>;
    }

    interface TlvDef {
      id: number;
      tag: string;
      type: unknown;
      filter?: FieldFilter;
      multiple?: boolean;
    }

    /** With `tls: true` the options go to `tls.connect` (ca, cert, key, servername, …) and `secureConnect` means ready. */
    function connect(options: { host: string; port: number; tls?: boolean } & ConnectionOptions, listener?: () => void): Session;
    /** With `key` and `cert` a TLS server (`tls.Server`), else a TCP one. */
    function createServer(options: { key?: string; cert?: string }, listener?: (session: Session) => void): Server;

    const commands: Record<string, CommandDef>;
    const tlvs: Record<string, TlvDef>;
    /** ESME_* status names → codes. */
    const errors: Record<string, number>;
  }

  export = smpp;
}
