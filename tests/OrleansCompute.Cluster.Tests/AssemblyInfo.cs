// Every test here but the log unit tests deploys a TestCluster: they run one at a time, so silos of two clusters never
// compete for the 2-core test machine (a starved silo misses its 1 s probes and is declared dead by mistake).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
