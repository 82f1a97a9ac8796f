import { PhotoShelterArchive } from '../../connectors/photoshelter/photoshelter-archive.js';
import { JsonLogger } from '../../connectors/system/json-logger.js';
import { SystemClock } from '../../connectors/system/system-clock.js';
import { FakePhotoShelterServer } from '../../simulators/photoshelter/fake-photoshelter-server.js';
import { SimClient } from '../support/photoshelter-sim-client.js';
import { describePhotoArchiveContract } from './photo-archive.contract.js';

describePhotoArchiveContract('PhotoShelterArchive against FakePhotoShelterServer', async () => {
  const server = new FakePhotoShelterServer({ seed: 42, assets: 24 });
  const { url } = await server.start(0);
  const archive = new PhotoShelterArchive({
    baseUrl: url,
    webBaseUrl: 'https://lightdesk-test.photoshelter.com',
    apiKey: server.credentials.apiKey,
    email: server.credentials.email,
    password: server.credentials.password,
    orgId: server.credentials.orgId,
    clock: new SystemClock(),
    logger: new JsonLogger('photoshelter', 'silent'),
    pageSize: 3,
  });
  return {
    archive,
    library: new SimClient(url).control(),
    close: async () => {
      await archive.logout();
      await server.stop();
    },
  };
});
