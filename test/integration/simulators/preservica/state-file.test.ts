import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_FOLDERS } from '../../../../simulators/preservica/store.js';
import { Harness, readXml, startReceiver, writePackage } from './support.js';

const IO_A = '0b7a1c2e-3333-4a6b-8c9d-00000000000a';

describe('Preservica simulator: state file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pv-state-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps entities, identifiers, bitstream bytes, monitors and subscriptions across a restart', async () => {
    const stateFile = join(dir, 'preservica.json');
    const receiver = await startReceiver('s');
    const first = await Harness.start({ stateFile });
    await first.login();
    const subscribed = await first.call(
      'POST',
      '/api/webhook/subscriptions',
      JSON.stringify({ url: receiver.url, triggerType: 'MOVED', secret: 's' }),
      { 'content-type': 'application/json' },
    );
    const subscription = JSON.parse(subscribed.text);
    const bytes = Buffer.from('kept across restarts');
    await first.putPackage(
      await writePackage(first.dir, [
        {
          ref: IO_A,
          title: 'Kept',
          identifiers: [{ type: 'lightdesk', value: 'k1' }],
          files: [{ name: 'k.jpg', bytes }],
        },
      ]),
      SEEDED_FOLDERS.approved,
    );
    await first.sim('POST', '/complete-ingests');
    await first.stop();
    expect(existsSync(stateFile)).toBe(true);

    const second = await Harness.start({ stateFile });
    try {
      await second.login();
      const io = readXml(
        (await second.call('GET', `/api/entity/information-objects/${IO_A}`)).text,
      );
      expect(io.EntityResponse['xip:InformationObject']['xip:Title']).toBe('Kept');
      const found = readXml(
        (await second.call('GET', '/api/entity/entities/by-identifier?type=lightdesk&value=k1'))
          .text,
      );
      expect(found.EntitiesResponse.Entities.Entity['@ref']).toBe(IO_A);
      const download = await second.call(
        'GET',
        `/api/content/download?id=${encodeURIComponent(`sdb:IO|${IO_A}`)}`,
      );
      expect(download.text).toBe(bytes.toString());
      const monitors = JSON.parse((await second.call('GET', '/api/processmonitor/monitors')).text);
      expect(monitors.value.monitors[0].status).toBe('Succeeded');
      expect(JSON.parse((await second.call('GET', '/api/webhook/subscriptions')).text)).toEqual([
        subscription,
      ]);
      // tokens are not kept: the old one is refused
      second.token = first.token;
      expect((await second.call('GET', `/api/entity/information-objects/${IO_A}`)).status).toBe(
        401,
      );
    } finally {
      await second.stop();
      await receiver.close();
    }

    const reseeded = await Harness.start({ stateFile, seed: 9 });
    try {
      expect((await reseeded.sim('GET', '/entities')).body.assets).toEqual([]);
    } finally {
      await reseeded.stop();
    }
  });
});
