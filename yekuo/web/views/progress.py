"""办电进度查询 moved to the customer's own pages (R1): /progress/ redirects to /c/track (yekuo/customers), where
the order number and a one-time SMS code, or the signed link of the acceptance slip, open the progress page."""

from django.shortcuts import redirect


def progress(request):
    return redirect("customer_track", permanent=True)
