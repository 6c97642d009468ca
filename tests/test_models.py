from tortoise import Tortoise

from palace.models import Member


def test_model_docstrings_have_no_semicolons() -> None:
    # Tortoise turns a model's docstring into a table comment, and its SQLite schema
    # script splits on ";" - a semicolon there breaks `palace migrate`.
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        assert ";" not in (model.__doc__ or ""), model.__name__


async def test_the_database_refuses_a_second_account_with_one_card() -> None:
    import pytest
    from tortoise.exceptions import IntegrityError

    await Member.create(card_no="A1", name="甲", phone="13000000001", password_hash="x")
    with pytest.raises(IntegrityError):
        await Member.create(card_no="A1", name="乙", phone="13000000002", password_hash="x")
