"""The optional ``onnx`` package, imported on first use with a message saying how to get it."""


def onnx():
    try:
        import onnx as module
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'saessak[onnx]' "
                          "(onnx, and onnxruntime to check the file)") from None
    return module
