"""``stepgrad.lazy``: a module bound on first use, and the registry of activations importable without NumPy."""

import json
import subprocess
import sys

from stepgrad.lazy import module_on_first_use


def test_the_stand_in_imports_on_first_use_and_rebinds_the_global() -> None:
    namespace: dict = {}
    namespace["encoder"] = module_on_first_use("json", namespace, "encoder")
    assert namespace["encoder"] is not json  # not yet: a stand-in
    assert namespace["encoder"].dumps([1, 2]) == "[1, 2]"
    assert namespace["encoder"] is json  # the global is the module now: later reads pay nothing


def test_the_registry_and_its_line_forms_need_no_numpy_until_an_array_is_computed() -> None:
    code = (
        "import sys\n"
        "from stepgrad.functions import ACTIVATIONS, get_activation\n"
        "from stepgrad.functions import activations\n"
        "lines = get_activation('leaky_relu(negative_slope=0.1)').written_out('net', 'out')\n"
        "print('numpy' in sys.modules, len(ACTIVATIONS) > 1, lines[1])\n"
        "value = ACTIVATIONS['sigmoid'].value(0.0)\n"
        "import numpy\n"
        "print('numpy' in sys.modules, float(value), activations.np is numpy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.splitlines() == ["False True (1.0 if net > 0.0 else 0.1)", "True 0.5 True"]
