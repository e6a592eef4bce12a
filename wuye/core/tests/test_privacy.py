from wuye.core.crypto import decrypt, encrypt, lookup_hash
from wuye.core.privacy import mask_id, mask_phone


def test_masks():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("021-5555") == "****5555"
    assert mask_phone("") == ""
    assert mask_id("110101199003071234") == "1****************4"
    assert mask_id("A1") == "**"


def test_encryption_round_trip_and_lookup_hash():
    token = encrypt("110101199003071234")
    assert "1101" not in token and decrypt(token) == "110101199003071234"
    assert lookup_hash("11010119900307123x") == lookup_hash(" 11010119900307123X ")
    assert lookup_hash("a") != lookup_hash("b")
