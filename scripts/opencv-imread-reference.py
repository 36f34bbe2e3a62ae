#!/usr/bin/env python3
# The reference table in test/unit/insightface/decode.test.ts: for every photo
# in ../shared/faces/photos, what OpenCV's cv2.imread(path) gives (width,
# height, sha256 of the BGR bytes), or null where it reads nothing.
# Run with Debian's python3-opencv (OpenCV 4.6.0, the version InsightFace's
# reference outputs used): /usr/bin/python3 scripts/opencv-imread-reference.py ../shared/faces
import hashlib
import os
import sys

import cv2

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'faces')
print(f'// OpenCV {cv2.__version__}: cv2.imread(path) -> [width, height, sha256 of the BGR bytes]')
rows = []
for folder, _, files in os.walk(os.path.join(root, 'photos')):
    for name in files:
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, root)
        img = cv2.imread(path)
        value = 'null' if img is None else f"[{img.shape[1]}, {img.shape[0]}, '{hashlib.sha256(img.tobytes()).hexdigest()}']"
        rows.append(f"  '{rel}': {value},")
print('\n'.join(sorted(rows)))
