// Every PhotoShelter simulator a test starts (in this process or a child it spawns) answers in a
// non-UTC zone unless the test names one, so code that reads vendor times as UTC fails here
// (docs/photoshelter-wire.md, "Time zones"). New York has both DST changes; set the variable to
// run the suite in another zone.
process.env['PHOTOSHELTER_SIM_TIME_ZONE'] ??= 'America/New_York';
