from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str, region: str = "KZ") -> str:
    """E.164 form of a phone written as people write it, e.g. "8 701 234 56 78".

    Kazakhstan's trunk prefix 8 is understood through the default region.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number for any country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
