/**
 * The Connector contract against both implementations: the simulator's own connector, and the
 * SMPP connector talking real SMPP on loopback to the simulator SMSC.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import type { Receipt } from '../../../src/network/connector.js';
import { SimulatorConnector } from '../../../src/network/simulator/connector.js';
import { SimulatedNetwork } from '../../../src/network/simulator/network.js';
import { startSmsc } from '../../../src/network/sim-smsc/standalone.js';
import { SmppConnector } from '../../../src/network/smpp/connector.js';
import { openStore } from '../../../src/store/open.js';
import { type ConnectorHarness, runConnectorContract } from './connector.contract.js';

const log = pino({ level: 'silent' });

async function bareStore() {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-contract-'));
  const config = loadConfig({ SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL', LOG_LEVEL: 'silent' });
  const store = await openStore(config);
  await store.migrate();
  const drop = async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { config, store, drop };
}

const events = (receipts: Receipt[]) => ({
  onReceipt: async (r: Receipt) => {
    receipts.push(r);
  },
  onInbound: async () => {},
  onStateChange: () => {},
});

runConnectorContract('simulator', async (): Promise<ConnectorHarness> => {
  const { store, drop } = await bareStore();
  const network = new SimulatedNetwork({
    store,
    clock: systemClock,
    log,
    deliveryDelayMs: 5,
    retryWindowMs: 60_000,
    schedule: (_attempt, now) => now + 50,
    leaseMs: 10_000,
    messageRetentionMs: 3_600_000,
  });
  const connector = new SimulatorConnector(network);
  const receipts: Receipt[] = [];
  await connector.start(events(receipts));
  return {
    connector,
    receipts,
    received: async (to) => (await network.receivedMessages(to, { limit: 100 })).messages.map((m) => m.text),
    close: async () => {
      await connector.stop();
      await drop();
    },
  };
});

runConnectorContract('smpp', async (): Promise<ConnectorHarness> => {
  const smscDir = await mkdtemp(join(tmpdir(), 'switchboard-contract-smsc-'));
  const smscConfig = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    SWITCHBOARD_DATA_DIR: smscDir,
    SWITCHBOARD_SQLITE_SYNCHRONOUS: 'NORMAL',
    SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '5',
    SWITCHBOARD_ADMIN_TOKEN: 'contract-admin-token-0123456789',
  });
  const smsc = await startSmsc(smscConfig, { smppPort: 0, logger: log });
  const { config, store, drop } = await bareStore();
  const settings = loadConfig({ SWITCHBOARD_NETWORK: 'smpp', SWITCHBOARD_SMPP_URL: `smpp://contract:pw@127.0.0.1:${smsc.smppPort}`, SWITCHBOARD_SMPP_RECEIPT_RETRY_MS: '50', SWITCHBOARD_DATA_DIR: config.dataDir }).smpp;
  const connector = new SmppConnector({ settings, repo: store.smpp, clock: systemClock, log, keepOpenMs: 3_600_000 });
  const receipts: Receipt[] = [];
  await connector.start(events(receipts));
  return {
    connector,
    receipts,
    received: async (to) => (await smsc.store.handsets.messages(to, 'MT', { limit: 100 })).map((m) => m.text),
    close: async () => {
      await connector.stop();
      await smsc.close();
      await drop();
      await rm(smscDir, { recursive: true, force: true });
    },
  };
});
