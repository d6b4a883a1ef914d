"""Builds greenrun._greenrun with CMake (the repository's own build, only the
extension target, no sanitizers) and installs it with the pure-Python
package. Offline: `pip install --no-build-isolation --no-index ./python`.

Environment: GREENRUN_CMAKE_BUILD_DIR (default: a build/python-ext folder at
the repository root, so a second install reuses it), GREENRUN_CMAKE_ARGS
(more -D settings, appended: e.g. -DCMAKE_BUILD_TYPE=Debug),
CMAKE_BUILD_PARALLEL_LEVEL.
"""
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = Path(os.environ.get("GREENRUN_CMAKE_BUILD_DIR", ROOT / "build" / "python-ext"))
        build_dir.mkdir(parents=True, exist_ok=True)
        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
        subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir), *gen, *launcher,
                               "-DCMAKE_BUILD_TYPE=Release", "-DGREENRUN_BUILD_TESTS=OFF",
                               "-DGREENRUN_BUILD_BENCH=OFF", "-DGREENRUN_SANITIZE=OFF",
                               f"-DPYTHON_EXECUTABLE={sys.executable}",
                               *shlex.split(os.environ.get("GREENRUN_CMAKE_ARGS", ""))])
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_greenrun"])
        built = sorted((build_dir / "python").glob("_greenrun*.so"))
        if not built:
            raise RuntimeError(f"no _greenrun*.so in {build_dir / 'python'}")
        dest = Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], dest)


setup(
    packages=["greenrun", "greenrun.compat"],
    ext_modules=[Extension("greenrun._greenrun", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
