"""Write examples/content-plan.xlsx: a comms team's content plan as it is really kept, with a
title row above the header, mixed-case headers ("ID", "Account", "Profile", "Post copy") and
two sheets, some drafts clean and some with problems. Run: python examples/make_content_plan.py"""
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HEADER = ["ID", "Date", "Channel", "Account", "Profile", "Post copy", "Owner"]

DECEMBER = [
    ["dec-01", "2026-12-01", "X", "Official", "", "Our winter flu jab clinics open this week at all three sites. "
     "Book online or call the appointments line.", "Comms"],
    ["dec-02", "2026-12-02", "Instagram", "Official", "", "Lovely to see Mrs Hilda Barnes back on Ward 6 today, "
     "her NHS number 943 476 5919 is on the board if anyone needs it!", "Ward 6"],
    ["dec-03", "2026-12-03", "LinkedIn", "Personal", "Nurse manager. Views my own.",
     "Proud of the team tonight: a full shift, every bed filled, and still smiling at handover.", "J. Patel"],
    ["dec-04", "2026-12-04", "X", "Personal", "Physio at the Trust.",
     "CONFIDENTIAL: board papers for next week attached, do not share outside the team", "A. Khan"],
    ["dec-05", "2026-12-05", "Facebook", "Official", "", "Carol service in the chapel on 18 December at 6pm. "
     "Everyone is welcome, staff, patients and families.", "Chaplaincy"],
    ["dec-06", "2026-12-08", "X", "Personal", "", "Honestly management here are useless idiots, "
     "nobody listens to us on the night shift.", "Anon"],
    ["dec-07", "2026-12-09", "Instagram", "Official", "", "Meet our new apprentices! Eight of them started "
     "in estates, catering and pharmacy this month.", "HR"],
    ["dec-08", "2026-12-10", "X", "Official", "", "Parking at the main site is limited this week while the "
     "car park is resurfaced. Please allow extra time.", "Estates"],
]

JANUARY = [
    ["jan-01", "2027-01-04", "LinkedIn", "Official", "", "We are recruiting healthcare assistants for our "
     "neurology wards. Apply by 31 January.", "HR"],
    ["jan-02", "2027-01-06", "X", "Personal", "Staff nurse, Ward 4.", "The patient in bed 12 was so rude to me "
     "today, you would not believe what Mr Daniel Okoro said.", "Ward 4"],
    ["jan-03", "2027-01-08", "Facebook", "Official", "", "Dry January? Our staff wellbeing team has tips, "
     "recipes and a weekly walking group.", "Wellbeing"],
    ["jan-04", "2027-01-12", "X", "Personal", "Consultant. Views are my own.", "Great to present our stroke "
     "research at the regional meeting today.", "Dr S. Lee"],
    ["jan-05", "2027-01-15", "Instagram", "Official", "", "Thank you to everyone who donated to the children's "
     "ward appeal: we raised over £4,000!", "Charity"],
    ["jan-06", "2027-01-20", "X", "Personal", "", "Pay rise offer is a joke. Don't bother applying here, the "
     "place is a shambles and the bosses don't care.", "Anon"],
]


def sheet(ws, title, rows):
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(HEADER)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([value or None for value in row])
    ws.column_dimensions["F"].width = 80
    ws.column_dimensions["E"].width = 30


def main(path=Path(__file__).with_name("content-plan.xlsx")):
    wb = openpyxl.Workbook()
    sheet(wb.active, "Social media content plan: December 2026", DECEMBER)
    wb.active.title = "December"
    sheet(wb.create_sheet("January"), "Social media content plan: January 2027", JANUARY)
    wb.save(path)
    return path


if __name__ == "__main__":
    print(main())
