"""What the e2e tests on a NATS JetStream cluster share: a 3-node cluster
per test (tests/nats/cluster.py) and the `storage:` text of a config whose
log is a stream on it and whose cache is local. Such tests are skipped when
nats-server is not installed or the nats plugin was not built."""
import os
import sys
import unittest

from harness import SLUICE_BIN, TempDirTest, replace_storage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nats"))
import cluster  # noqa: E402

PLUGIN = os.path.join(os.path.dirname(SLUICE_BIN), "..", "lib", "sluice", "plugins", "log_nats.so")


@unittest.skipIf(cluster.find_nats_server() is None, "nats-server is not installed")
@unittest.skipIf(not os.path.exists(PLUGIN), "the nats plugin was not built (libnats-dev missing)")
class NatsClusterCase(TempDirTest):
    def setUp(self):
        super().setUp()
        self.cluster = cluster.Cluster(os.path.join(self.dir, "nats"))
        self.cluster.start()
        self.addCleanup(self.cluster.stop)
        self.cluster.wait_ready()

    def shared_log_config(self, cfg, prefix):
        """Rewrites the config file `cfg` (from harness.write_config) so that
        its log is on this cluster (3 replicas, streams `prefix`_...) and its
        cache a local LevelDB."""
        storage = ("storage:\n  log: { plugin: nats, options: { servers: \"%s\", replicas: 3, "
                   "stream_prefix: %s } }\n  cache: leveldb\n" % (self.cluster.urls(), prefix))
        return replace_storage(cfg, storage)
