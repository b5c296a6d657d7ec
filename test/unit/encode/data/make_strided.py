"""Dev-time generator of strided.pt (committed): torch.save of non-contiguous, offset
and half-precision tensors, to test the pickle reader's _rebuild_tensor_v2 views.
Run: /usr/bin/python3 test/unit/encode/data/make_strided.py"""
import collections, os, torch
here = os.path.dirname(os.path.abspath(__file__))
base = torch.arange(10, dtype=torch.float32)
sd = collections.OrderedDict()
sd["transposed"] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # [3,2], strides (1,3)
sd["offset"] = base[3:7]  # shares storage with offset 3
sd["half"] = torch.tensor([1.5, -2.25, 0.0], dtype=torch.float16)
sd["double"] = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
sd["layer.weight"] = torch.nn.Parameter(torch.ones(2, 2) * 0.5)
torch.save(sd, os.path.join(here, "strided.pt"))
