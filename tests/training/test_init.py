def test_a_leaky_relu_with_its_own_slope_starts_like_the_other_rectifiers() -> None:
    from stepgrad.training.init import initializer_for

    assert initializer_for("leaky_relu(negative_slope=0.2)") == initializer_for("relu") == "he"
    assert initializer_for("tanh") == "xavier"
