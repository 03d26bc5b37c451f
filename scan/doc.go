// Package scan implements subset scanning over neural-network activations:
// empirical p-values of activations against a background of clean ones, and
// linear-time subset scans for the subset of nodes — and, in group mode, of
// samples — whose p-values diverge most from uniform.
//
// # P-value ranges
//
// A trained network is treated as a data generator. For each node j, a
// background of B clean activations gives the null distribution. For an
// activation x at node j, let gt be the number of background values greater
// than x and ge the number greater than or equal to x. The one-tailed
// (upper) empirical p-value lies in the range
//
//	pmin = gt/(B+1),  pmax = (ge+1)/(B+1).
//
// A range rather than a value is needed because of ties: ReLU layers output
// exact zeros for most nodes. Two-tailed ranges double the smaller tail:
// [2·pmin, 2·pmax] if pmax < 0.5, [2(1−pmax), 2(1−pmin)] if pmin > 0.5, and
// [2·min(pmin, 1−pmax), 1] otherwise. Conditional p-values use one
// background per class label (Conditional). NewBackground sorts each
// node's background once; Background.PValues sorts each node's evaluation
// values and merges them with it, in parallel over blocks of nodes.
//
// Memory: the background is held once, as 32-bit order-preserving keys (a
// node's smallest value, such as the ReLU zero, only as a count); the ranges
// are one float64 pair per evaluation value, and nothing else of that size
// is allocated. Background.Reset and Background.PValuesTo reuse the memory
// of an earlier background or ranges, which spares the kernel's zeroing of
// fresh pages when a caller goes through layers or evaluation sets in turn.
//
// One-tailed individual scans need only pmax, and the background only
// while the evaluation values are compared with it: UpperCounts sorts the
// background a block of nodes at a time in cache, looks each evaluation
// value up in its node's sorted column at once, and keeps pmax as a 16-bit
// count over B+1; IndividualCounts scans those counts, with the results of
// IndividualAll on the ranges bit for bit. Nothing of the background's
// size is allocated, and the counts are an eighth of the ranges.
//
// # Scan statistics
//
// A node counts towards N_α, at threshold α, when its pmax ≤ α. A
// nonparametric scan statistic F(N_α, N, α) measures how far N_α of N
// p-values exceed the N·α expected under uniformity; each is 0 unless
// N_α > N·α:
//
//	Berk-Jones            N_α·ln(N_α/(Nα)) + (N−N_α)·ln((N−N_α)/(N(1−α)))   (N·ln(1/α) when N_α = N)
//	Higher Criticism      (N_α − Nα) / sqrt(Nα(1−α))
//	Kolmogorov-Smirnov    (N_α − Nα) / sqrt(N)
//
// The score of a subset maximises F over α ≤ α_max (0.5 by default).
// Further statistics implement the Scorer interface.
//
// # Individual and group scans
//
// These statistics satisfy the linear-time subset scanning (LTSS) property
// (Neill 2012): for a fixed α, the best subset is the k elements of highest
// priority for some k, so a scan needs a sort rather than a search over
// 2^J subsets. For one sample (Individual) every node's priority is 0 or 1,
// and each distinct pmax ≤ α_max defines one candidate subset: the scan is
// exact. For a group of samples (Group), the Fast Generalized Subset Scan
// (McFowland, Speakman and Neill 2013) alternates: with the samples fixed,
// it finds the best node subset by LTSS, with priority "how many fixed
// samples have pmax ≤ α at this node"; then fixes those nodes and finds the
// best sample subset; and so on until the score stops increasing, from
// several starting points (restarts).
//
// Applied to the activations of neural networks, this detects adversarial
// and otherwise anomalous inputs without retraining or labelled anomalies
// (Speakman, Sridharan, Remy, Weldemariam and McFowland 2018; Cintas et al.
// 2020).
//
// References:
//
//   - E. McFowland III, S. Speakman and D. B. Neill. Fast generalized subset
//     scan for anomalous pattern detection. JMLR 14, 2013.
//   - D. B. Neill. Fast subset scan for spatial pattern detection. JRSS B 74,
//     2012.
//   - S. Speakman, S. Sridharan, S. Remy, K. Weldemariam and E. McFowland III.
//     Subset scanning over neural network activations. arXiv:1810.08676, 2018.
//   - C. Cintas, S. Speakman, V. Akinwande, W. Ogallo, K. Weldemariam, S.
//     Sridharan and E. McFowland III. Detecting adversarial attacks via
//     subset scanning of autoencoder activations and reconstruction error.
//     IJCAI 2020.
package scan
