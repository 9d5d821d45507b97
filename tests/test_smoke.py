import robustloss as rl


def test_huber_seed_example(backend, dtype):
    x = backend.asarray([[1.5, 2.0, 3.5, 4.0]], dtype)
    y = backend.asarray([[1.0, 2.5, 3.0, 5.0]], dtype)
    out = rl.huber_loss(x, y)
    assert out.dtype == backend.dtype(dtype)
    assert backend.to_numpy(out) == 0.21875
