import type { Viewer } from '$lib/server/api';

declare global {
  namespace App {
    interface Error {
      message: string;
      /** Shown to the reader so a support request can be matched with the server log. */
      correlationId?: string;
    }
    interface Locals {
      /** The session token from the httpOnly `gopy_session` cookie; never sent to the browser. */
      token: string | null;
      /** The request id (X-Request-Id) this request came with, passed on to /graphql. */
      requestId?: string;
      /** The signed-in account, loaded at most once per request. */
      viewer?: Promise<Viewer | null>;
    }
    /** adapter-node passes the Node request; the embedded runtime uses its socket to find /graphql. */
    interface Platform {
      req?: import('node:http').IncomingMessage;
    }
  }
}

export {};
