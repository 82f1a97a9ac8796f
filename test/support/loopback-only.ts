import nock from 'nock';

// Tests talk to loopback servers only: any other host fails the request at once.
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
