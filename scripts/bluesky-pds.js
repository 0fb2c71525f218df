// Runs a real AT Protocol PDS and PLC directory (@atproto/dev-env, no AppView) on free
// loopback ports, for the Bluesky connector's integration tests. Started by
// scripts/bluesky-pds.sh, which sets NODE_PATH to the cached install and STATE_FILE to where
// this process writes {"pid","pds","plc"} once both answer. Runs until SIGTERM or SIGINT.
'use strict';

const fs = require('fs');
const net = require('net');

// dev-env's servers listen on a bare port, which means every interface; only loopback here.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

const { TestNetworkNoAppView } = require('@atproto/dev-env');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const stateFile = process.env.STATE_FILE;
  if (!stateFile) throw new Error('STATE_FILE is not set');
  const pdsPort = await freePort();
  const plcPort = await freePort();
  const network = await TestNetworkNoAppView.create({
    pds: { port: pdsPort },
    plc: { port: plcPort },
  });
  const state = {
    pid: process.pid,
    pds: `http://127.0.0.1:${pdsPort}`,
    plc: `http://127.0.0.1:${plcPort}`,
  };
  fs.writeFileSync(stateFile, JSON.stringify(state) + '\n');
  console.log(`bluesky-pds: PDS ${state.pds}, PLC ${state.plc}, pid ${state.pid}`);

  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    try {
      await network.close();
    } finally {
      try {
        fs.unlinkSync(stateFile);
      } catch (_) {
        // already gone
      }
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error('bluesky-pds: failed to start:', err);
  process.exit(1);
});
